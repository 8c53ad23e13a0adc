"""xxgk-archive: extraction, parsing, checks, storage and publishing of 政府信息公开工作年度报告."""
