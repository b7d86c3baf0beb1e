"""The dashboards' summary: every measure's figures for every area, refreshed from the
register (dashboards/services.py). Nobody edits these tables by hand."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaFigure(models.Model):
    """One figure of one measure for one area: a village, district, regency, province or the
    whole country (area "", level 0). Village rows come from the register; the rows above
    are their sums (see desmigratif/figures.py for why the sums are exact)."""

    pk = models.CompositePrimaryKey("area", "measure", "key")
    area = models.CharField(max_length=13)
    parent = models.CharField(max_length=13, help_text='The area one level up; the country\'s own is "".')
    level = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=60)
    key = models.CharField(max_length=300)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")
        indexes = [models.Index(fields=["parent", "measure"], name="areafigure_children")]

    def __str__(self) -> str:
        return f"{self.area or 'ID'} {self.measure} {self.key}: {self.value}"


class FigureRefresh(models.Model):
    """One refresh of the summary. The figures are as of ``started_at``, the moment the
    refresh read the register."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"))
    villages = models.PositiveIntegerField(_("villages refreshed"), null=True, help_text=_("Empty: all of them."))
    seconds = models.FloatField(_("seconds"))

    class Meta:
        verbose_name = _("figure refresh")
        verbose_name_plural = _("figure refreshes")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} ({self.seconds:.1f} s)"

    @property
    def is_full(self) -> bool:
        return self.villages is None
