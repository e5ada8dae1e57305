//! The Chinese names and descriptions a scenario may give beside the
//! English ones (`name_zh`, `description_zh`, `township_zh`, `group_zh`,
//! `source_zh`): optional, never empty when given.

use super::*;

impl Checker<'_> {
    /// A Chinese text at `path`: refused (and dropped) when it is given but
    /// empty, since an empty name would show as nothing in a report.
    pub(super) fn text_zh(&mut self, path: &str, value: Option<&String>) -> Option<String> {
        let value = value?;
        if value.trim().is_empty() {
            let key = path.rsplit('.').next().unwrap_or(path);
            let en = key.strip_suffix("_zh").unwrap_or(key);
            self.fail(
                path,
                format!("`{key}` is empty"),
                Some(format!(
                    "write the Chinese text, e.g. {key} = \"织里镇\", or remove the key: reports in Chinese then show `{en}`"
                )),
            );
            return None;
        }
        Some(value.trim().to_string())
    }
}
