//! The incident timeline: `timeline.csv` (with the scripted/detected kind) when the run
//! has it, else the `HH:MM:SS - text` lines of `timeline.txt`, read as detected events.

use super::{read_optional, CsvTable, Metrics, ReportError};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An action the scenario script performed (a fault injected, a config change).
    Scripted,
    /// Something a detector noticed in the simulated system.
    Detected,
}

#[derive(Debug, Clone)]
pub struct TimelineEvent {
    /// Simulated time [s].
    pub t_s: f64,
    pub clock: String,
    pub kind: EventKind,
    pub subject: String,
    pub text: String,
}

pub fn load(dir: &Path, metrics: &Metrics) -> Result<Vec<TimelineEvent>, ReportError> {
    let csv_path = dir.join("timeline.csv");
    if let Some(text) = read_optional(&csv_path)? {
        return from_csv(&csv_path, &text);
    }
    let txt_path = dir.join("timeline.txt");
    match read_optional(&txt_path)? {
        Some(text) => from_txt(&txt_path, &text, metrics.start_clock_s),
        None => Ok(Vec::new()),
    }
}

fn from_csv(path: &Path, text: &str) -> Result<Vec<TimelineEvent>, ReportError> {
    let table = CsvTable::parse(path, text)?;
    let t_col = table.required(path, "t_s")?;
    let text_col = table.required(path, "text")?;
    let (clock, kind, subject) = (
        table.column("clock"),
        table.column("kind"),
        table.column("subject"),
    );
    let mut events = Vec::new();
    for row in 0..table.rows.len() {
        let Some(t_s) = table.number(row, Some(t_col)) else {
            return Err(ReportError::at(path, row + 2, "`t_s` is not a number"));
        };
        let cell = |c: Option<usize>| c.map_or(String::new(), |c| table.text(row, c).to_string());
        events.push(TimelineEvent {
            t_s,
            clock: cell(clock),
            kind: match cell(kind).as_str() {
                "scripted" => EventKind::Scripted,
                _ => EventKind::Detected,
            },
            subject: cell(subject),
            text: table.text(row, text_col).to_string(),
        });
    }
    Ok(events)
}

fn from_txt(
    path: &Path,
    text: &str,
    start_clock_s: u64,
) -> Result<Vec<TimelineEvent>, ReportError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line.split_once(" - ").and_then(|(clock, text)| {
            let mut parts = clock.trim().split(':').map(|p| p.parse::<u64>().ok());
            let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
            Some((clock.trim(), h * 3600 + m * 60 + s, text))
        });
        let Some((clock, secs, text)) = parsed else {
            return Err(ReportError::at(path, i + 1, "expected `HH:MM:SS - text`"));
        };
        events.push(TimelineEvent {
            t_s: ((secs + 86_400 - start_clock_s) % 86_400) as f64,
            clock: clock.to_string(),
            kind: EventKind::Detected,
            subject: String::new(),
            text: text.to_string(),
        });
    }
    Ok(events)
}
