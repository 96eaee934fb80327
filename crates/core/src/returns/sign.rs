//! The signature of a return's metadata: HMAC-SHA256, keyed with a secret kept
//! only in the coordinator's database (`Store::signing_key`), over what the merge
//! trusts — the plan, department, year and revision, and every cell's field key
//! and base value. A department holds no key, so an edited meta sheet (a key
//! redirected to another department's field, another 部, another base) no longer
//! verifies, and the file is merged as one without metadata.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The head entries signed, in this order.
pub const SIGNED_HEAD: [&str; 9] = [
    "plan_id",
    "plan_title",
    "organization",
    "department",
    "fiscal_year",
    "revision",
    "created_at",
    "round_id",
    "key_id",
];

/// Whether a return's metadata is the coordinator's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    /// Signed with this database's key, and unchanged.
    Verified,
    /// No metadata sheet at all.
    NoMeta,
    /// Metadata without a signature (written by an older version, or by a
    /// department's own database).
    Unsigned,
    /// Signed by another database (its key is not this one).
    OtherKey,
    /// Signed with this key but changed since.
    Invalid,
}

impl Signature {
    /// How the merge report names it.
    pub fn label(self) -> &'static str {
        match self {
            Signature::Verified => "確認済み",
            Signature::NoMeta => "作成時の情報なし",
            Signature::Unsigned => "署名なし",
            Signature::OtherKey => "別のデータベース",
            Signature::Invalid => "書き換えあり",
        }
    }

    /// What the merge says of a file that is not verified.
    pub fn warning(self) -> Option<&'static str> {
        match self {
            Signature::Verified => None,
            Signature::NoMeta => Some("shinchoku_meta シートがないため、作成時の値が分かりません。担当部の項目だけを読み、計画の値と異なる項目はすべて競合として扱います"),
            Signature::Unsigned => Some("shinchoku_meta シートに署名がありません。担当部の項目だけを読み、計画の値と異なる項目はすべて競合として扱います"),
            Signature::OtherKey => Some("この記入用ファイルは別のデータベースで作られたものです(署名を確認できません)。担当部の項目だけを読み、計画の値と異なる項目はすべて競合として扱います"),
            Signature::Invalid => Some("shinchoku_meta シートが作成後に書き換えられています(署名が一致しません)。担当部の項目だけを読み、計画の値と異なる項目はすべて競合として扱います"),
        }
    }
}

/// The id of a key, written beside the signature: which database signed.
pub fn key_id(key: &[u8]) -> String {
    hex(&Sha256::digest(key)[..8])
}

/// The signature of a head (values in [`SIGNED_HEAD`] order) and the cells
/// (`[row, column, key, base]` as written).
pub fn sign(key: &[u8], head: &[String], cells: &[[String; 4]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    let body = serde_json::to_vec(&(head, cells)).expect("strings serialise");
    mac.update(&body);
    hex(&mac.finalize().into_bytes())
}

/// Checks a signature as read back; `key` is this database's (none: it signs nothing).
pub fn verify(key: Option<&[u8]>, head: &[String], cells: &[[String; 4]], signature: Option<&str>, signed_by: &str) -> Signature {
    let Some(sig) = signature.filter(|s| !s.is_empty()) else {
        return Signature::Unsigned;
    };
    let Some(key) = key else {
        return Signature::OtherKey;
    };
    if signed_by != key_id(key) {
        return Signature::OtherKey;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&serde_json::to_vec(&(head, cells)).expect("strings serialise"));
    let Some(bytes) = unhex(sig) else {
        return Signature::Invalid;
    };
    // Constant-time comparison.
    if mac.verify_slice(&bytes).is_ok() {
        Signature::Verified
    } else {
        Signature::Invalid
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_cell_or_head_does_not_verify() {
        let key = [7u8; 32];
        let head: Vec<String> = ["1", "計画", "", "総務部", "2023", "5", "t", &key_id(&key)]
            .map(String::from)
            .to_vec();
        let cells = vec![["5".to_string(), "実績値".into(), "kpi[1].actual[2023]".into(), "12".into()]];
        let sig = sign(&key, &head, &cells);
        let id = key_id(&key);
        assert_eq!(verify(Some(&key), &head, &cells, Some(&sig), &id), Signature::Verified);
        let mut redirected = cells.clone();
        redirected[0][2] = "kpi[5].actual[2023]".into();
        assert_eq!(verify(Some(&key), &head, &redirected, Some(&sig), &id), Signature::Invalid);
        let mut other_dept = head.clone();
        other_dept[3] = "保健福祉部".into();
        assert_eq!(verify(Some(&key), &other_dept, &cells, Some(&sig), &id), Signature::Invalid);
        assert_eq!(verify(Some(&key), &head, &cells, None, &id), Signature::Unsigned);
        assert_eq!(verify(None, &head, &cells, Some(&sig), &id), Signature::OtherKey);
        assert_eq!(verify(Some(&[1u8; 32]), &head, &cells, Some(&sig), &id), Signature::OtherKey);
        assert_eq!(verify(Some(&key), &head, &cells, Some("zz"), &id), Signature::Invalid);
    }
}
