"""Realistic queries over the sample catalogue, each with the regulations that must be in the
top 10. Used by tests/search/test_relevance.py (recall@10 ≥ 0.9) and bench/search.py.

Kinds of query: accent-less, NFD (decomposed) text, upper case, abbreviations, legal citations,
spelling variants (old tone placement, i/y, missing marks), quoted phrases and typos (doubled,
swapped and missing letters, and Telex typed with the input method switched off), which find
nothing as typed and are answered with the results of a correction from the index vocabulary.
"""

import unicodedata

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731

QUERIES: list[tuple[str, str, tuple[str, ...]]] = [
    # (category, query, codes that must appear in the top 10)
    ("accent-less", "giay phep lu hanh", ("BVHTTDL-TTHC-001", "BVHTTDL-TTHC-002")),
    ("accent-less", "dang ky thanh lap cong ty co phan", ("BKHDT-TTHC-004",)),
    ("accent-less", "kinh doanh xang dau", ("BCT-YCDK-003", "BCT-YCDK-004", "BCT-TTHC-006")),
    ("accent-less", "ban le ruou", ("BCT-TTHC-004",)),
    ("accent-less", "giay phep lao dong nguoi nuoc ngoai", ("BLDTBXH-TTHC-001",)),
    ("accent-less", "hoa don dien tu", ("BTC-TTHC-007",)),
    ("accent-less", "thue gia tri gia tang", ("BTC-TTHC-002", "BTC-TTHC-008")),
    ("accent-less", "van tai bang xe o to", ("BGTVT-TTHC-001", "BGTVT-CDBC-001")),
    ("accent-less", "phu hieu xe", ("BGTVT-TTHC-003",)),
    ("accent-less", "van phong cong chung", ("BTP-TTHC-001", "BTP-TTHC-002", "BTP-YCDK-001")),
    ("accent-less", "dau gia tai san", ("BTP-TTHC-003", "BTP-YCDK-002")),
    ("accent-less", "tu van du hoc", ("BGDDT-TTHC-005", "BGDDT-YCDK-002")),
    ("accent-less", "mat ma dan su", ("BQP-TTHC-001", "BQP-YCDK-001")),
    ("accent-less", "ban hang da cap", ("BCT-TTHC-014", "BCT-YCDK-007")),
    ("accent-less", "trung gian thanh toan", ("NHNN-TTHC-004", "NHNN-YCDK-002")),
    ("accent-less", "my pham", ("BYT-TTHC-014", "BYT-YCDK-002")),
    ("accented", "vàng miếng", ("NHNN-TTHC-001", "NHNN-YCDK-001")),
    ("accented", "karaoke", ("BVHTTDL-TTHC-004", "BVHTTDL-YCDK-004")),
    ("accented", "quỹ từ thiện", ("BNV-TTHC-001", "BNV-YCDK-001")),
    ("accented", "xả nước thải", ("BTNMT-TTHC-006",)),
    ("accented", "phế liệu nhập khẩu", ("BTNMT-KTCN-001",)),
    ("accented", "chứng chỉ hành nghề dược", ("BYT-TTHC-009",)),
    ("accented", "trung tâm ngoại ngữ tin học", ("BGDDT-TTHC-002", "BGDDT-YCDK-001")),
    ("accented", "bảo hiểm xã hội người lao động nước ngoài", ("BHXH-TTHC-005",)),
    ("accented", "trang thiết bị y tế loại C, D", ("BYT-TTHC-013",)),
    ("nfd", NFD("đăng ký hộ kinh doanh"), ("BKHDT-TTHC-016",)),
    ("nfd", NFD("giấy phép môi trường"), ("BTNMT-TTHC-002",)),
    ("upper", "ĐĂNG KÝ NỘI QUY LAO ĐỘNG", ("BLDTBXH-TTHC-004",)),
    ("upper", "KIỂM TRA CHẤT LƯỢNG THÉP NHẬP KHẨU", ("BCT-KTCN-003", "BKHCN-KTCN-005")),
    ("abbreviation", "ĐKKD kế toán", ("BTC-YCDK-001", "BTC-TTHC-013")),
    ("abbreviation", "TTHC rượu", ("BCT-TTHC-003", "BCT-TTHC-004")),
    ("abbreviation", "ATTP thực phẩm nhập khẩu", ("BYT-KTCN-001",)),
    ("abbreviation", "PCCC", ("BCA-YCDK-005", "BCA-KTCN-001")),
    ("abbreviation", "CCHN dược", ("BYT-TTHC-009",)),
    ("abbreviation", "BHXH hộ kinh doanh", ("BHXH-TTHC-007",)),
    ("abbreviation", "TMĐT website", ("BCT-TTHC-009", "BCT-TTHC-010")),
    ("abbreviation", "GCN đủ điều kiện bán lẻ xăng dầu", ("BCT-TTHC-006",)),
    ("citation", "NĐ 15/2018", ("BYT-TTHC-001", "BYT-TTHC-004")),
    ("citation", "nghị định 15/2018 công bố sản phẩm", ("BYT-TTHC-002", "BYT-TTHC-004")),
    ("citation", "15/2018/NĐ-CP", ("BYT-TTHC-002",)),
    ("citation", "Thông tư 05/2019/TT-BKHCN", ("BKHCN-KTCN-001", "BKHCN-CDBC-001")),
    ("citation", "QCVN 06:2022/BXD", ("BXD-TCQC-001",)),
    ("citation", "luat 59/2020 giai the", ("BKHDT-TTHC-013",)),
    ("citation", "168/2017/NĐ-CP", ("BVHTTDL-TTHC-002", "BVHTTDL-YCDK-001")),
    ("code", "BYT-TTHC-009", ("BYT-TTHC-009",)),
    ("variant", "đăng kí hoạt động nhượng quyền thương mại", ("BCT-TTHC-015",)),
    ("variant", "hoá chất", ("BCT-TTHC-013", "BCT-YCDK-008")),
    ("variant", "dang ki su dung hoa don", ("BTC-TTHC-007",)),
    ("phrase", '"lữ hành quốc tế"', ("BVHTTDL-TTHC-002", "BVHTTDL-YCDK-001")),
    ("phrase", '"ky quy" lu hanh', ("BVHTTDL-YCDK-002",)),
    ("phrase", '"an toàn cháy"', ("BXD-TCQC-001",)),
    ("typo", "giay phepp lu hanhh", ("BVHTTDL-TTHC-001", "BVHTTDL-TTHC-002")),
    ("typo", "dang ky thanh lap cong ty co phna", ("BKHDT-TTHC-004",)),
    ("typo", "hoa dn dien tu", ("BTC-TTHC-007",)),
    ("typo", "kinh doanh xang dauu", ("BCT-YCDK-003", "BCT-YCDK-004", "BCT-TTHC-006")),
    ("typo", "van phong cong chng", ("BTP-TTHC-001", "BTP-TTHC-002", "BTP-YCDK-001")),
    ("typo", "giay phep lao dong nguoi nuoc ngaoi", ("BLDTBXH-TTHC-001",)),
    ("typo", "karaoek", ("BVHTTDL-TTHC-004", "BVHTTDL-YCDK-004")),
    ("typo", "giấy phép môi trườngg", ("BTNMT-TTHC-002",)),
    # Telex with the input method off: đăng ký hộ kinh doanh, trung gian thanh toán.
    ("typo", "ddawng kys hooj kinh doanh", ("BKHDT-TTHC-016",)),
    ("typo", "trung gian thanh toans", ("NHNN-TTHC-004", "NHNN-YCDK-002")),
]
