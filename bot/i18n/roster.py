"""Texts about reading a roster file (花名册) that pre-registers members before they report in."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "roster.missing_name": {
        "zh": "第 {line} 行：缺少姓名。",
        "en": "Line {line}: the name is missing.",
    },
    "roster.missing_phone": {
        "zh": "第 {line} 行：缺少手机号。",
        "en": "Line {line}: the mobile number is missing.",
    },
    "roster.bad_phone": {
        "zh": "第 {line} 行：手机号“{phone}”不是有效的 11 位大陆手机号。",
        "en": "Line {line}: “{phone}” is not a valid 11-digit mainland mobile number.",
    },
    "roster.duplicate_phone": {
        "zh": "第 {line} 行：手机号 {phone} 与第 {first_line} 行重复。",
        "en": "Line {line}: mobile number {phone} already appears on line {first_line}.",
    },
    "roster.too_long": {
        "zh": "第 {line} 行：“{column}”超过 {limit} 个字。",
        "en": "Line {line}: “{column}” is longer than {limit} characters.",
    },
    "roster.file_unsupported": {
        "zh": "无法读取“{file}”：只支持 .csv 和 .xlsx 文件，请在 Excel 中另存为其中一种。",
        "en": "Cannot read “{file}”: only .csv and .xlsx files are supported; save it as either in Excel.",
    },
    "roster.file_not_found": {
        "zh": "找不到文件“{file}”。",
        "en": "The file “{file}” does not exist.",
    },
    "roster.file_unreadable": {
        "zh": "无法读取“{file}”：{reason}",
        "en": "Cannot read “{file}”: {reason}",
    },
    "roster.file_bad_xlsx": {
        "zh": "无法读取“{file}”：不是有效的 .xlsx 文件（是否加了密码，或是改了扩展名的 .xls？）。",
        "en": "Cannot read “{file}”: not a valid .xlsx file (is it password-protected, or a renamed .xls?).",
    },
    "roster.file_encoding": {
        "zh": "无法读取“{file}”：文件编码无法识别，请另存为“CSV UTF-8”。",
        "en": "Cannot read “{file}”: unknown text encoding; save it as “CSV UTF-8”.",
    },
    "roster.file_no_name_column": {
        "zh": "“{file}”缺少“姓名”列：表头至少要有“姓名”和“手机号”两列。",
        "en": "“{file}” has no “name” column: the header needs at least “name” and “phone”.",
    },
    "roster.file_no_phone_column": {
        "zh": "“{file}”缺少“手机号”列：表头至少要有“姓名”和“手机号”两列。",
        "en": "“{file}” has no “phone” column: the header needs at least “name” and “phone”.",
    },
}
