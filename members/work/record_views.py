"""A member's study record (个人学习档案): the page, its PDF (the same template, house style) and
a group's records as one Excel sheet, a row per member, for the annual evaluation (年度考核)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, View

from members import scoping
from members.models import StudyGroup, User
from members.work import exports, selectors
from studygroup.mixins import PdfOnPostMixin, ScopedObjectMixin
from studygroup.params import year_param


class StudyRecordMixin(ScopedObjectMixin):
    model = User
    permission_required = "work.view_study_record"

    def get_queryset(self):
        return User.objects.filter(pk__in=scoping.visible_people(self.request.user))

    @property
    def year(self) -> int:
        return year_param(self.request.GET.get("year"), default=timezone.localdate().year)

    def record_context(self, person, *, for_pdf=False) -> dict:
        today = timezone.localdate().year
        return {
            **selectors.study_record(person, self.year), "for_pdf": for_pdf,
            "years": range(today, today - 5, -1), "printed_at": timezone.localtime(),
        }


class StudyRecordDetail(StudyRecordMixin, DetailView):
    template_name = "work/study_record.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.record_context(self.object), **kwargs)


class StudyRecordPdf(PdfOnPostMixin, StudyRecordMixin, View):
    def pdf_response(self):
        from studygroup.documents import pdf_response, render_pdf

        person = self.get_object()
        data = render_pdf("work/study_record.html", self.record_context(person, for_pdf=True), request=self.request, archival=True)
        return pdf_response(data, _("Study record %(name)s %(year)s.pdf") % {"name": person.get_full_name(), "year": self.year})

    def pdf_title(self):
        return _("Study record")

    def pdf_back_url(self):
        return self.get_object().get_absolute_url()


class GroupStudyRecordsExport(ScopedObjectMixin, View):
    """Every current member's record of a year, a row each (Excel)."""

    model = StudyGroup
    permission_required = "work.export_study_records"

    def get(self, request, pk):
        group = self.get_object()
        year = year_param(request.GET.get("year"), default=timezone.localdate().year)
        return exports.study_records_xlsx(group, year, selectors.study_record_rows(group, year))
