from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import nik as nik_lib
from core.admin import ScopedHistoryAdmin
from villages.models import FamilyMember, Person, Post
from villages.selectors import officials_visible_to, posts_visible_to


class PersonForm(forms.ModelForm):
    nik_input = forms.CharField(
        label=_("NIK"), max_length=20, required=False, help_text=_("16 digits. Leave empty to keep the stored NIK.")
    )

    class Meta:
        model = Person
        fields = ["full_name", "sex", "birth_date", "phone"]

    def clean_nik_input(self):
        value = self.cleaned_data["nik_input"]
        if not value:
            if not self.instance.pk:
                raise forms.ValidationError(_("A NIK is required."))
            return ""
        check = nik_lib.check_nik(value)
        if not check.valid:
            raise forms.ValidationError(check.errors)
        return check.nik

    def save(self, commit=True):
        if self.cleaned_data.get("nik_input"):
            self.instance.nik = self.cleaned_data["nik_input"]
        return super().save(commit)


class FamilyMemberInline(admin.TabularInline):
    """Family covered by the official's JKN; they appear on the BPJS collective-registration sheet."""

    model = FamilyMember
    fields = ["full_name", "relation", "birth_date"]
    extra = 0


@admin.register(Person)
class PersonAdmin(ScopedHistoryAdmin):
    scope = staticmethod(officials_visible_to)
    form = PersonForm
    inlines = [FamilyMemberInline]
    list_display = ["full_name", "nik_masked", "sex", "birth_date"]
    search_fields = ["full_name"]
    readonly_fields = ["nik_masked"]


@admin.register(Post)
class PostAdmin(ScopedHistoryAdmin):
    scope = staticmethod(posts_visible_to)
    list_display = ["person", "position", "status", "village", "term_start", "ended_on"]
    list_filter = ["position", "status"]
    search_fields = ["person__full_name", "village__name", "village__code"]
    list_select_related = ["person", "village"]
    autocomplete_fields = ["person", "village"]
