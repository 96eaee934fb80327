//! Core errors as the window receives them: `{kind, message}`.

use shinchoku_core::ops::{self, Error};
use shinchoku_core::views::{AppError, ErrorKind};

pub fn to_app(e: Error) -> AppError {
    let kind = match &e {
        Error::Field { .. } => ErrorKind::Invalid,
        Error::WouldReplaceEntered(_) => ErrorKind::NeedsConfirmation,
        e if e.is_busy() => ErrorKind::Busy,
        e if e.is_bad_input() => ErrorKind::BadInput,
        _ => ErrorKind::System,
    };
    let message = match (&e, kind) {
        (_, ErrorKind::Busy) => "データベースを別のウィンドウまたはプログラムが使用中です。しばらくしてからやり直してください".to_string(),
        (Error::WouldReplaceEntered(fields), _) => ops::entered_for_people(fields),
        _ => e.to_string(),
    };
    AppError { kind, message }
}

/// A failure of the shell itself (a task that could not run).
pub fn system(message: impl Into<String>) -> AppError {
    AppError {
        kind: ErrorKind::System,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_invalid_and_bad_files_bad_input() {
        let e = to_app(Error::Field {
            path: "kpi[1].actual[2023]".into(),
            message: "数値または「-」を入力してください".into(),
        });
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.message, "数値または「-」を入力してください");
        let e = to_app(Error::BadInput("記入!M7: x".into()));
        assert_eq!(e.kind, ErrorKind::BadInput);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"bad_input","message":"記入!M7: x"}"#);
    }
}
