"""The reports part of `seed_demo`: the problems and proposals of Việt Yên's annual report for
2018, the year the audits and certification demos fill (internal audits, management reviews,
inspections, scoring). Its figures are computed from those records; only this text is stored.
Re-running it rewrites the same text."""

from django.contrib.auth import get_user_model

from communes.demo import DISTRICT
from communes.models import Unit
from reports.services import annual_report_save

YEAR = 2018

PROBLEMS = """\
- Một số xã mới triển khai năm 2018 chưa bố trí đủ công chức theo dõi hệ thống; công chức \
văn phòng kiêm nhiệm nhiều việc nên việc cập nhật tài liệu còn chậm.
- Một số quy trình chưa được cập nhật kịp thời khi thủ tục hành chính thay đổi theo quyết \
định công bố của Chủ tịch UBND tỉnh.
- Số liệu hồ sơ trên phần mềm một cửa và sổ theo dõi hồ sơ có lúc chưa khớp nhau.
- Kinh phí duy trì hệ thống và hoạt động đánh giá nội bộ tại cấp xã còn hạn chế."""

PROPOSALS = """\
- Đề nghị Sở Khoa học và Công nghệ tiếp tục mở lớp tập huấn về đánh giá nội bộ và chuyển \
đổi sang TCVN ISO 9001:2015 cho công chức cấp xã.
- Đề nghị UBND tỉnh bố trí kinh phí hỗ trợ duy trì, cải tiến hệ thống quản lý chất lượng \
cho các xã, thị trấn.
- Đề nghị các sở, ngành thông báo kịp thời khi thủ tục hành chính thay đổi để các đơn vị \
cập nhật quy trình trong thời hạn 3 tháng."""


def seed():
    district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
    supervisor = get_user_model().objects.get(username="district")
    annual_report_save(actor=supervisor, unit=district, year=YEAR, problems=PROBLEMS, proposals=PROPOSALS)
    return f"Annual report: {district} {YEAR} (problems and proposals written)"
