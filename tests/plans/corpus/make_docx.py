# ruff: noqa: E501  (plan text is data: lines as a clerk would type them)
"""Build the .docx plans of the corpus with python-docx (run: python make_docx.py).

The generated files are committed; rerunning rewrites them. Real plans put the issuer
and "Số" in a two-column header table and "Nơi nhận" beside the signature in a
two-column footer table; these do the same.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.document import Document

HERE = Path(__file__).parent


def header_table(doc: Document, left: list[str], right: list[str]) -> None:
    table = doc.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def footer_table(doc: Document, recipients: list[str], signature: list[str]) -> None:
    header_table(doc, ["Nơi nhận:", *recipients], signature)


def paragraphs(doc: Document, text: str) -> None:
    for line in text.strip().splitlines():
        doc.add_paragraph(line.strip())


def ba_to_cchc() -> Document:
    doc = docx.Document()
    header_table(
        doc,
        ["ỦY BAN NHÂN DÂN", "HUYỆN BA TƠ", "Số: 31/KH-UBND"],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Ba Tơ, ngày 22 tháng 02 năm 2024",
        ],
    )
    paragraphs(
        doc,
        """
        KẾ HOẠCH
        Cải cách hành chính huyện Ba Tơ năm 2024
        Căn cứ Kế hoạch số 15/KH-UBND ngày 25/01/2024 của UBND tỉnh về cải cách hành chính năm 2024;
        I. MỤC ĐÍCH, YÊU CẦU
        Nâng cao chỉ số cải cách hành chính của huyện.
        II. NHIỆM VỤ TRỌNG TÂM
        1. Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền của huyện.
        - Cơ quan chỉ đạo: Chủ tịch UBND huyện.
        - Cơ quan, đơn vị chủ trì: Văn phòng HĐND&UBND huyện.
        - Cơ quan, đơn vị phối hợp: Phòng Tư pháp, Phòng Nội vụ.
        - Thời gian thực hiện: thường xuyên, liên tục.
        2. Đánh giá mức độ hài lòng của người dân đối với dịch vụ hành chính công.
        - Chủ trì thực hiện: Phòng Nội vụ.
        - Phối hợp: UBND các xã, thị trấn.
        - Thời gian thực hiện: Hằng năm.
        - Kết quả sản phẩm: Báo cáo chỉ số hài lòng.
        3. Phòng Tài chính – Kế hoạch: chủ trì, phối hợp với Kho bạc Nhà nước huyện đẩy mạnh giải ngân vốn đầu tư công; thời gian: năm 2024 và những năm tiếp theo.
        4. Phòng Văn hóa và Thông tin: tuyên truyền về cải cách hành chính trên Cổng thông tin điện tử huyện; thời hạn: định kỳ 6 tháng và hằng năm.
        5. Giao Phòng Nội vụ chủ trì tổng hợp báo cáo cải cách hành chính năm; báo cáo năm gửi trước ngày 10/01 của năm sau.
        III. TỔ CHỨC THỰC HIỆN
        1. Phòng Nội vụ là cơ quan thường trực, có trách nhiệm theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch.
        2. Các cơ quan, đơn vị báo cáo kết quả thực hiện về UBND huyện (qua Phòng Nội vụ) định kỳ hằng quý (trước ngày 15 của tháng cuối quý).
        3. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo UBND huyện đồng gửi Phòng Nội vụ để tổng hợp./.
    """,
    )
    footer_table(
        doc,
        [
            "- Sở Nội vụ (B/c);",
            "- TT Huyện ủy (B/c);",
            "- CT, PCT UBND huyện;",
            "- Các phòng, ban thuộc UBND huyện;",
            "- UBND các xã, thị trấn;",
            "- Lưu: VT, NV.",
        ],
        ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "(Đã ký)", "Đinh Thị Hồng Minh"],
    )
    return doc


def so_tai_chinh() -> Document:
    doc = docx.Document()
    header_table(
        doc,
        ["UBND TỈNH QUẢNG NGÃI", "SỞ TÀI CHÍNH", "Số: 1520/KH-STC"],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Quảng Ngãi, ngày 02 tháng 8 năm 2025",
        ],
    )
    paragraphs(
        doc,
        """
        KẾ HOẠCH
        Theo dõi, báo cáo tình hình thực hiện dự toán ngân sách năm 2025
        Căn cứ Luật Ngân sách nhà nước năm 2015;
        Căn cứ Quyết định số 845/QĐ-UBND ngày 20/7/2025 của UBND tỉnh;
        I. MỤC ĐÍCH, YÊU CẦU
        Theo dõi sát tình hình thu, chi ngân sách sau sắp xếp đơn vị hành chính.
        II. NỘI DUNG THỰC HIỆN
        Các nhiệm vụ cụ thể như sau:
    """,
    )
    rows = [
        ["STT", "Nhiệm vụ", "Cơ quan", "Cơ quan", "Tiến độ", "Kết quả"],
        ["", "", "Chủ trì", "Phối hợp", "", ""],
        [
            "I",
            "Theo dõi thu, chi",
            "Theo dõi thu, chi",
            "Theo dõi thu, chi",
            "Theo dõi thu, chi",
            "Theo dõi thu, chi",
        ],
        [
            "1",
            "Tổng hợp tình hình thu ngân sách",
            "Phòng Quản lý ngân sách",
            "Thuế tỉnh\nKho bạc Nhà nước khu vực XIII",
            "hằng tháng (trước ngày 20)",
            "Báo cáo tháng",
        ],
        [
            "2",
            "Báo cáo tình hình giải ngân vốn đầu tư công",
            "Phòng Tài chính đầu tư",
            "Các chủ đầu tư",
            "báo cáo tháng gửi trước ngày 15 hằng tháng",
            "Báo cáo",
        ],
        [
            "3",
            "Báo cáo quý về chi thường xuyên",
            "Phòng Tài chính hành chính sự nghiệp",
            "Các sở, ban, ngành",
            "trước ngày 05 tháng cuối của mỗi quý",
            "Báo cáo quý",
        ],
        [
            "II",
            "Quyết toán, tổng kết",
            "Quyết toán, tổng kết",
            "Quyết toán, tổng kết",
            "Quyết toán, tổng kết",
            "Quyết toán, tổng kết",
        ],
        [
            "1",
            "Sơ kết, tổng kết thực hiện dự toán",
            "Văn phòng Sở",
            "Các phòng thuộc Sở",
            "định kỳ 6 tháng, hằng năm (trước ngày 15/6 và 15/12)",
            "Báo cáo sơ kết, tổng kết",
        ],
        [
            "2",
            "Xây dựng dự toán ngân sách năm 2026",
            "Phòng Quản lý ngân sách",
            "UBND các xã, phường, đặc khu",
            "Quý IV/2025",
            "Dự toán trình HĐND tỉnh",
        ],
        ["3", "Tập huấn quyết toán cho các xã mới", "", "Kho bạc Nhà nước khu vực XIII", "", ""],
    ]
    table = doc.add_table(rows=len(rows), cols=6)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    paragraphs(
        doc,
        """
        III. TỔ CHỨC THỰC HIỆN
        1. Văn phòng Sở có trách nhiệm theo dõi, đôn đốc việc thực hiện Kế hoạch.
        2. Phòng Quản lý ngân sách tổng hợp, báo cáo Giám đốc Sở trước ngày 25 hằng tháng.
        3. Trong quá trình triển khai, nếu có vướng mắc, các phòng, đơn vị báo cáo về Giám đốc Sở để xem xét, chỉ đạo./.
    """,
    )
    footer_table(
        doc,
        ["- UBND tỉnh (B/c);", "- Các phòng thuộc Sở;", "- Lưu: VT, QLNS."],
        ["GIÁM ĐỐC", "", "Võ Văn Thành"],
    )
    return doc


def tu_nghia() -> Document:
    doc = docx.Document()
    header_table(
        doc,
        ["ỦY BAN NHÂN DÂN", "XÃ TƯ NGHĨA", "Số: /KH-UBND"],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Tư Nghĩa, ngày    tháng 9 năm 2025",
        ],
    )
    paragraphs(
        doc,
        """
        KẾ HOẠCH
        Phòng, chống thiên tai và tìm kiếm cứu nạn năm 2025 - 2026
        I. MỤC ĐÍCH, YÊU CẦU
        Chủ động ứng phó, giảm thiểu thiệt hại do thiên tai.
        II. NHIỆM VỤ VÀ GIẢI PHÁP
        Giao Phòng Kinh tế chủ trì, phối hợp với Ban Chỉ huy Quân sự xã, Công an xã rà soát phương án sơ tán dân; hoàn thành trước ngày 15/9/2025.
        Giao Văn phòng HĐND và UBND xã chủ trì kiện toàn Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn xã; hoàn thành trước 30/9/2025.
        Giao Phòng Văn hóa - Xã hội thực hiện dự trữ lương thực, thuốc men; thời gian: cuối tháng 9/2025.
        Các thôn, tổ dân phố:
        - Chủ trì, phối hợp với Phòng Kinh tế kiểm tra hệ thống kênh mương; thời gian: giữa tháng 10.
        - Tổ chức diễn tập phòng chống bão lũ; thời gian: trước quý I/2026.
        Giao Trạm Y tế xã chủ trì công tác vệ sinh môi trường sau lũ; hoàn thành trong vòng 10 ngày sau khi nước rút.
        III. TỔ CHỨC THỰC HIỆN
        1. Văn phòng HĐND và UBND xã theo dõi, đôn đốc việc thực hiện.
        2. Phòng Kinh tế là cơ quan thường trực, tổng hợp tình hình thiệt hại, báo cáo UBND xã đột xuất khi có yêu cầu.
        3. Khi có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo Chủ tịch UBND xã đồng gửi Phòng Kinh tế để tổng hợp./.
    """,
    )
    footer_table(
        doc,
        ["- UBND tỉnh (B/c);", "- Đảng ủy xã (B/c);", "- Các thôn, tổ dân phố;", "- Lưu: VT."],
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "Phan Văn Hùng"],
    )
    return doc


def main() -> None:
    for name, build in (
        ("huyen-ba-to-cai-cach-hanh-chinh-2024.docx", ba_to_cchc),
        ("so-tai-chinh-du-toan-2025.docx", so_tai_chinh),
        ("xa-tu-nghia-phong-chong-thien-tai-2025.docx", tu_nghia),
    ):
        build().save(str(HERE / name))


if __name__ == "__main__":
    main()
