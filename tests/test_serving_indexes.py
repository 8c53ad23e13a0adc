"""An archive made before the serving indexes existed gains them when opened, data intact."""
import sqlite_utils

from archive.store import DB_NAME, Archive


def test_older_archive_gains_the_province_year_index(tmp_path):
    Archive(tmp_path).close()
    db = sqlite_utils.Database(tmp_path / DB_NAME)
    db.execute("insert into organs (id, name) values ('梅林镇人民政府', '梅林镇人民政府')")
    db.execute("insert into reports (id, organ_id, year) values ('00000000000000aa', '梅林镇人民政府', 2023)")
    db.execute("insert into applications_wide (report_id, organ, province, year, new_received__total)"
               " values ('00000000000000aa', '梅林镇人民政府', '江苏省', 2023, 17)")
    db.execute("drop index idx_applications_wide_province_year")  # as an earlier version left it
    db.conn.commit()
    assert "idx_applications_wide_province_year" not in {i.name for i in db["applications_wide"].indexes}
    db.close()

    Archive(tmp_path).close()
    db = sqlite_utils.Database(tmp_path / DB_NAME)
    assert {tuple(i.columns) for i in db["applications_wide"].indexes} >= {("province", "year")}
    assert db.execute("select report_id, new_received__total from applications_wide"
                      " where province = '江苏省' and year = 2023").fetchall() == [("00000000000000aa", 17)]
