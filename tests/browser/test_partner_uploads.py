"""A partner uploads a CSV file of declarations: a progress bar while it goes, then the per-line report."""

import datetime

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def csv_file(tmp_path, lines):
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    header = "agreement,dataset,period_start,period_end,purpose,actions,record_count\n"
    path = tmp_path / "declarations.csv"
    path.write_text(header + "".join(line.format(start=start, end=end) + "\n" for line in lines), encoding="utf-8")
    return path


def test_partner_uploads_declarations_and_reads_the_report(world, open_page, sign_in, shoot, tmp_path):
    page = sign_in(open_page(), world.partner)
    page.get_by_role("link", name="Upload").click()
    page.get_by_label("Usage declarations").check()

    bad = csv_file(tmp_path, ["ZJ-BOT-001,POP-STATS,{start},{end},ImprovePublicServices,read,10", "ZJ-BOT-001,POP-STATS,{start},{end},ImprovePublicServices,fly,10"])
    page.get_by_label("CSV file (UTF-8)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload", exact=True).click()
    report = page.locator("#upload-report")
    report.get_by_role("table").wait_for()
    # The form went through XMLHttpRequest: the page did not reload, the progress bar showed.
    assert page.locator("#upload-progress-field").is_visible()
    assert page.locator("#upload-progress").evaluate("p => p.value") == 100
    assert report.locator("tbody tr td:first-child").all_inner_texts() == ["3"]
    assert report.locator("tbody tr td").all_inner_texts()[1:] == ["actions", '"fly" is not a valid choice.']
    assert not UsageDeclaration.objects.exists()
    shoot(page, "upload-report")

    good = csv_file(tmp_path, ["ZJ-BOT-001,POP-STATS,{start},{end},ImprovePublicServices,read;aggregate,10"])
    page.get_by_label("CSV file (UTF-8)").set_input_files(str(good))
    page.get_by_role("button", name="Upload", exact=True).click()
    report.get_by_text("1 declaration stored").wait_for()
    assert UsageDeclaration.objects.get().actions == ["read", "aggregate"]

    page.goto("/duties/?show=all")
    assert page.locator("tbody tr").count() >= 1
    shoot(page, "duties")
