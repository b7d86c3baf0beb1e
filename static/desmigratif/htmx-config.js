// Loaded right after htmx: keep htmx from injecting a <style> element, which
// the Content-Security-Policy (style-src 'self') would block.
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
