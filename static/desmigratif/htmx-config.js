// Loaded right after htmx: keep htmx from injecting a <style> element, which
// the Content-Security-Policy (style-src 'self') would block.
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
// htmx settles "style" attributes from the old element onto the new one with setAttribute, which
// the Content-Security-Policy (style-src 'self') refuses; the portal never uses inline styles.
htmx.config.attributesToSettle = ["class", "width", "height"];
