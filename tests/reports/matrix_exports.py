"""Permission-matrix rows of the reports index, the annual report and the registers (see
tests/matrix.py).

The annual report belongs to the supervising unit (the district): its supervisor writes it, its
steering committee reads it, the other readers of the district (auditor, viewer) get 403 and the
officers, who have no supervising unit, 403 too; a unit out of scope 404, a unit that keeps a QMS
of its own (a ward) is no supervising unit: 404. The registers answer every reader with the rows
of their scope; `?unit=` out of scope → 404.
"""

from tests.matrix import Row, everyone

YEAR = 2024

READ_REPORT = everyone(403, committee=200, supervisor=200, superuser=200)
WRITE_REPORT = everyone(403, supervisor=200, superuser=200)
WRITE_REPORT_POST = everyone(403, supervisor=302, superuser=302)
OUTSIDE = everyone(404, superuser=200)
REGISTERS = ["export_documents", "export_coverage", "export_audits", "export_actions"]


def _year(c):
    return {"year": YEAR}


def _unit(name):
    return lambda c: {"unit": getattr(c, name).pk}


ROWS = [
    Row("reports:index", everyone(200)),
    Row(
        "reports:index",
        everyone(200),
        data=_unit("unit_a"),
        label="index (a unit picked)",
    ),
    Row("reports:annual_index", everyone(403, committee=302, supervisor=302, superuser=302)),
    Row(
        "reports:annual_index",
        everyone(403, officer_a=404, officer_b=404, committee=302, supervisor=302, superuser=302),
        data=lambda c: {"year": str(YEAR), "unit": c.district.pk},
        label="annual_index (a year picked)",
    ),
    Row(
        "reports:annual_index",
        # A year out of range: the form says so (200), nothing else happens.
        everyone(403, committee=200, supervisor=200, superuser=200),
        data={"year": "1990"},
        label="annual_index (year out of range)",
    ),
    Row("reports:annual_report", READ_REPORT, kwargs=_year),
    Row(
        "reports:annual_report",
        everyone(403, officer_a=404, officer_b=404, committee=200, supervisor=200, superuser=200),
        kwargs=_year,
        data=_unit("district"),
        label="annual_report (district)",
    ),
    Row(
        "reports:annual_report",
        OUTSIDE,
        kwargs=_year,
        data=_unit("other_district"),
        label="annual_report (other district)",
    ),
    Row(
        "reports:annual_report",
        everyone(404),
        kwargs=_year,
        data=_unit("unit_a"),
        label="annual_report (a ward: no supervising unit)",
    ),
    Row("reports:annual_report_edit", WRITE_REPORT, kwargs=_year),
    Row(
        "reports:annual_report_edit",
        WRITE_REPORT_POST,
        kwargs=_year,
        method="post",
        data={"problems": "Thiếu cán bộ chuyên trách ISO.", "proposals": "Tổ chức tập huấn."},
        label="annual_report_edit (POST)",
    ),
    Row(
        "reports:annual_report_edit",
        OUTSIDE,
        kwargs=lambda c: {"year": YEAR},
        data=_unit("other_district"),
        label="annual_report_edit (other district)",
    ),
    Row("reports:annual_report_xlsx", READ_REPORT, kwargs=_year),
    Row(
        "reports:annual_report_xlsx",
        OUTSIDE,
        kwargs=_year,
        data=_unit("other_district"),
        label="annual_report_xlsx (other district)",
    ),
    Row("reports:annual_report_pdf", READ_REPORT, kwargs=_year),
    Row(
        "reports:annual_report_pdf",
        OUTSIDE,
        kwargs=_year,
        data=_unit("other_district"),
        label="annual_report_pdf (other district)",
    ),
]
for _name in REGISTERS:
    ROWS += [
        Row(f"reports:{_name}", everyone(200)),
        Row(
            f"reports:{_name}",
            everyone(200, officer_b=404),
            data=_unit("unit_a"),
            label=f"{_name} (unit A)",
        ),
        Row(
            f"reports:{_name}",
            OUTSIDE,
            data=_unit("other_district"),
            label=f"{_name} (other district)",
        ),
    ]
