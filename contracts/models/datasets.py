from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.codes import Grade, PersonalInfo
from partnerships.models import Organization


class Dataset(models.Model):
    """A government data resource that grants name."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("owner"))
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    personal_info = models.CharField(_("personal information"), max_length=20, choices=PersonalInfo.choices)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self):
        return f"{self.code} {self.name}"
