//! The Shinchoku desktop shell: a Tauri window over `shinchoku-core`. Each
//! command is a few lines calling `shinchoku_core::ops` off the UI thread; no SQL
//! and no domain rules live here.

mod commands;
mod error;
mod state;

use tauri::Manager;

pub use state::AppState;

/// Builds and runs the app: one instance per user (a second launch focuses the
/// first window), the dialog plugin for open/save, and the demo plan on first start.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let state = AppState::start().map_err(|e| {
                eprintln!("{}", e.message);
                e.message
            })?;
            app.manage(state);
            if let Some(w) = app.get_webview_window("main") {
                // The app's own icon on the window (some window managers show a generic one otherwise).
                if let Some(icon) = app.default_window_icon().cloned() {
                    let _ = w.set_icon(icon);
                }
                // A window that fits the screen: nine tenths of it, within 960×560 and 1600×1000.
                if let Ok(Some(m)) = w.current_monitor() {
                    let screen = m.size().to_logical::<f64>(m.scale_factor());
                    let width = (screen.width * 0.9).clamp(960.0, 1600.0);
                    let height = (screen.height * 0.9).clamp(560.0, 1000.0);
                    let _ = w.set_size(tauri::LogicalSize::new(width, height));
                    // Centred from the size just set (`center()` may still see the old one,
                    // and without a window manager it puts the corner at the centre).
                    let origin = m.position().to_logical::<f64>(m.scale_factor());
                    let _ = w.set_position(tauri::LogicalPosition::new(
                        origin.x + (screen.width - width) / 2.0,
                        origin.y + (screen.height - height) / 2.0,
                    ));
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::plan::overview,
            commands::plan::import_plan,
            commands::plan::layout_mapping,
            commands::plan::import_mapped,
            commands::export::layout_names,
            commands::plan::plans,
            commands::plan::switch_plan,
            commands::plan::delete_demo_plan,
            commands::plan_edit::edit_fields,
            commands::plan_edit::report_items,
            commands::plan_edit::report_preview,
            commands::plan_edit::export_report,
            commands::plan_edit::schedule,
            commands::plan_edit::card_view,
            commands::plan_edit::export_card,
            commands::entry::entry_page,
            commands::entry::save_field,
            commands::entry::save_return,
            commands::entry::open_return_file,
            commands::merge::merge_returns,
            commands::rounds::round_board,
            commands::rounds::round_open,
            commands::rounds::round_remind,
            commands::rounds::round_send_back,
            commands::rounds::round_confirm,
            commands::rounds::round_unlock,
            commands::merge::conflicts,
            commands::merge::resolve_conflict,
            commands::merge::history,
            commands::merge::revision_changes,
            commands::merge::undo,
            commands::charts::kpis,
            commands::charts::charts,
            commands::charts::export_chart_png,
            commands::charts::export_chart_book,
            commands::charts::print_charts,
            commands::export::export_summary,
            commands::export::export_templates,
            commands::export::reveal,
            commands::settings::settings,
            commands::settings::save_settings,
            commands::settings::backups,
            commands::settings::restore_backup,
            commands::settings::default_folder,
            commands::years::rules,
            commands::years::use_rule,
            commands::years::set_target,
            commands::years::start_year,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Shinchokuを起動できませんでした: {e}");
            std::process::exit(1);
        });
}
