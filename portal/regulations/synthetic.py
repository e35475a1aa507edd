"""`flask demo generate`: a large synthetic catalogue for scale tests (codes start with GEN-).

Rows are composed from realistic Vietnamese administrative phrasing and written in the import
format, so they go through the same validation and loading path as a ministry's file.
"""

from __future__ import annotations

import io
import random

from portal.regulations.fileformat import COLUMNS, write_csv

KIND_CODES = {
    "procedure": "TTHC",
    "condition": "YCDK",
    "report": "CDBC",
    "inspection": "KTCN",
    "standard": "TCQC",
    "prohibition": "CAM",
}
KIND_WEIGHTS = {
    "procedure": 45,
    "condition": 25,
    "report": 8,
    "inspection": 10,
    "standard": 8,
    "prohibition": 4,
}
MINISTRIES = [
    "bca",
    "bct",
    "bgtvt",
    "bgddt",
    "bkhcn",
    "bkhdt",
    "bldtbxh",
    "bnnptnt",
    "bnv",
    "bqp",
    "btttt",
    "btc",
    "btnmt",
    "btp",
    "bvhttdl",
    "bxd",
    "byt",
    "nhnn",
    "bhxh",
]
SECTORS = (
    "kinh doanh xăng dầu",
    "kinh doanh khí",
    "vận tải hành khách bằng xe ô tô",
    "vận tải hàng hóa bằng đường thủy nội địa",
    "dịch vụ lữ hành",
    "kinh doanh dược phẩm",
    "sản xuất mỹ phẩm",
    "trang thiết bị y tế",
    "an toàn thực phẩm",
    "thuốc thú y",
    "phân bón",
    "thức ăn chăn nuôi",
    "giống cây trồng",
    "thủy sản",
    "dịch vụ kế toán",
    "dịch vụ kiểm toán",
    "kinh doanh bảo hiểm",
    "chứng khoán",
    "hóa đơn điện tử",
    "kinh doanh bất động sản",
    "hoạt động xây dựng",
    "vật liệu xây dựng",
    "viễn thông",
    "trò chơi điện tử trên mạng",
    "bưu chính",
    "hoạt động in",
    "dịch vụ việc làm",
    "đưa người lao động đi làm việc ở nước ngoài",
    "an toàn lao động",
    "giáo dục nghề nghiệp",
    "đào tạo lái xe",
    "tư vấn du học",
    "kinh doanh vàng",
    "trung gian thanh toán",
    "hoạt động ngoại hối",
    "khai thác khoáng sản",
    "tài nguyên nước",
    "quản lý chất thải",
    "phòng cháy và chữa cháy",
    "dịch vụ bảo vệ",
    "công chứng",
    "đấu giá tài sản",
    "karaoke, vũ trường",
    "biểu diễn nghệ thuật",
    "quảng cáo",
    "thương mại điện tử",
    "xuất khẩu, nhập khẩu hàng hóa",
    "rượu",
    "thuốc lá",
    "hóa chất",
)
FIELDS = (
    "Thương mại",
    "Giao thông vận tải",
    "Y tế",
    "Nông nghiệp",
    "Tài chính",
    "Xây dựng",
    "Thông tin và truyền thông",
    "Lao động, việc làm",
    "Giáo dục và đào tạo",
    "Ngân hàng",
    "Tài nguyên và môi trường",
    "An ninh, trật tự",
    "Tư pháp",
    "Văn hóa, thể thao và du lịch",
    "Khoa học và công nghệ",
    "Đầu tư",
    "Bảo hiểm xã hội",
    "Hải quan",
    "Thuế",
    "Năng lượng",
)
PROCEDURE_VERBS = (
    "Cấp Giấy chứng nhận đủ điều kiện",
    "Cấp lại Giấy phép",
    "Điều chỉnh Giấy phép",
    "Gia hạn Giấy phép",
    "Đăng ký hoạt động",
    "Thông báo thay đổi nội dung",
    "Cấp Giấy xác nhận",
    "Công bố hợp quy sản phẩm",
    "Thẩm định hồ sơ",
)
CONDITION_HEADS = (
    "Điều kiện về vốn pháp định đối với",
    "Yêu cầu về nhân sự đối với",
    "Điều kiện về cơ sở vật chất đối với",
    "Yêu cầu về ký quỹ đối với",
    "Điều kiện về chứng chỉ hành nghề đối với",
    "Yêu cầu về hệ thống quản lý chất lượng đối với",
)
REPORT_HEADS = (
    "Báo cáo định kỳ hằng quý về",
    "Báo cáo tình hình hoạt động hằng năm về",
    "Báo cáo thống kê hằng tháng về",
    "Báo cáo đột xuất khi có sự cố về",
)
INSPECTION_HEADS = (
    "Kiểm tra nhà nước về chất lượng đối với hàng hóa nhập khẩu thuộc lĩnh vực",
    "Kiểm tra an toàn thực phẩm đối với hàng hóa nhập khẩu thuộc lĩnh vực",
    "Kiểm dịch đối với hàng hóa nhập khẩu thuộc lĩnh vực",
)
STANDARD_HEADS = (
    "Quy chuẩn kỹ thuật quốc gia về an toàn trong",
    "Quy chuẩn kỹ thuật quốc gia về chất lượng sản phẩm",
    "Tiêu chuẩn quốc gia về yêu cầu kỹ thuật đối với",
)
PROHIBITION_HEADS = (
    "Cấm kinh doanh hàng hóa không rõ nguồn gốc trong",
    "Cấm quảng cáo sai sự thật trong",
    "Cấm sử dụng lao động chưa qua đào tạo trong",
    "Cấm chuyển nhượng giấy phép trong",
)
SCOPES = (
    "",
    " tại khu kinh tế",
    " có vốn đầu tư nước ngoài",
    " quy mô nhỏ",
    " qua biên giới",
    " tại địa bàn cấp tỉnh",
    " trên môi trường mạng",
)
CONTENT = (
    "Tổ chức, doanh nghiệp nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia hoặc trực tiếp "
    "tại bộ phận một cửa của cơ quan có thẩm quyền.",
    "Hồ sơ gồm đơn đề nghị theo mẫu, bản sao Giấy chứng nhận đăng ký doanh nghiệp và tài liệu "
    "chứng minh đáp ứng điều kiện kinh doanh.",
    "Thời hạn giải quyết là {days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Cơ quan thực hiện thẩm định hồ sơ, kiểm tra thực tế cơ sở khi cần thiết và trả kết quả "
    "qua dịch vụ bưu chính công ích.",
    "Doanh nghiệp phải duy trì các điều kiện trong suốt quá trình hoạt động và chịu sự kiểm tra, "
    "giám sát của cơ quan quản lý nhà nước.",
    "Trường hợp không đáp ứng yêu cầu, cơ quan có thẩm quyền trả lời bằng văn bản và nêu rõ lý do.",
)


def generate_rows(count: int, seed: int = 68):
    """Yield `count` synthetic rows in the import format (deterministic for a seed)."""
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    heads = {
        "condition": CONDITION_HEADS,
        "report": REPORT_HEADS,
        "inspection": INSPECTION_HEADS,
        "standard": STANDARD_HEADS,
        "prohibition": PROHIBITION_HEADS,
    }
    for index in range(1, count + 1):
        kind = rng.choices(kinds, weights)[0]
        ministry = rng.choice(MINISTRIES)
        sector = rng.choice(SECTORS)
        if kind == "procedure":
            title = f"{rng.choice(PROCEDURE_VERBS)} {sector}{rng.choice(SCOPES)}"
        else:
            title = f"{rng.choice(heads[kind])} {sector}{rng.choice(SCOPES)}"
        year = rng.randint(2010, 2025)
        bases = [f"{rng.randint(1, 199)}/{year}/NĐ-CP Điều {rng.randint(1, 60)}"]
        if rng.random() < 0.5:
            bases.append(f"{rng.randint(1, 99)}/{year + rng.randint(0, 1)}/TT-{ministry.upper()}")
        status = rng.choices(("in_force", "draft", "abolished"), (90, 4, 6))[0]
        sentences = rng.sample(CONTENT, rng.randint(2, 5))
        content = " ".join(sentences).format(days=rng.choice((5, 7, 10, 15, 20, 30)))
        with_cost = kind in ("procedure", "report") or (
            kind in ("condition", "inspection") and rng.random() < 0.5
        )
        yield [
            f"GEN-{KIND_CODES[kind]}-{index:06d}",
            kind,
            title[0].upper() + title[1:],
            ministry,
            rng.choice(FIELDS),
            status,
            "1" if rng.random() < 0.92 else "0",
            "; ".join(bases),
            content,
            rng.choice((1, 2, 4, 8, 16, 24, 40)) if with_cost else None,
            rng.choice((0, 100000, 200000, 500000, 1000000, 3000000)) if with_cost else None,
            rng.choice((0.2, 0.5, 1, 2, 4, 12)) if with_cost else None,
            rng.randint(10, 50000) if with_cost else None,
        ]


def generate_csv(count: int, seed: int = 68) -> bytes:
    """The synthetic catalogue as an import file."""
    stream = io.BytesIO()
    write_csv(COLUMNS, generate_rows(count, seed), stream)
    return stream.getvalue()
