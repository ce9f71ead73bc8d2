//! The entities of the brief's glossary. Everything here is plain data; the rules that
//! interpret it live in `version`, `status` and `review`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::period::Period;

/// Level of a unit in the administrative tree (*cấp*).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Nation,
    Province,
    District,
    Commune,
    Village,
    /// Any other level (a ministry's department, a programme's site...).
    Custom(String),
}

impl Level {
    pub fn as_str(&self) -> &str {
        match self {
            Level::Nation => "nation",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Village => "village",
            Level::Custom(s) => s,
        }
    }

    pub fn parse(s: &str) -> Level {
        match s {
            "nation" => Level::Nation,
            "province" => Level::Province,
            "district" => Level::District,
            "commune" => Level::Commune,
            "village" => Level::Village,
            other => Level::Custom(other.to_string()),
        }
    }
}

/// An administrative unit, or the party organisation of one (*đơn vị hành chính; đảng bộ*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub level: Level,
    pub parent: Option<String>,
    /// Official administrative code (e.g. the General Statistics Office's code).
    pub code: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Unit {
    /// Whether the unit exists on `date` (both ends of the validity interval inclusive).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }
}

/// A term (*nhiệm kỳ*), e.g. 2015–2020.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// What kind of act a resolution is. A congress resolution is the one a review counts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// *Nghị quyết Đại hội*: adopted by a party congress for a term.
    Congress,
    /// A people's council resolution or plan (*nghị quyết HĐND*).
    Council,
    /// Targets assigned by the level above (*chỉ tiêu giao*).
    Assignment,
    Other,
}

impl ResolutionKind {
    pub const ALL: [ResolutionKind; 4] = [
        ResolutionKind::Congress,
        ResolutionKind::Council,
        ResolutionKind::Assignment,
        ResolutionKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionKind::Congress => "congress",
            ResolutionKind::Council => "council",
            ResolutionKind::Assignment => "assignment",
            ResolutionKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which kind of body issues a unit's documents: it decides the layout of a report's heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// A party committee (Hướng dẫn 36-HD/VPTW layout).
    Party,
    /// A people's committee or council (Decree 30/2020/NĐ-CP layout).
    Government,
    Other,
}

impl BodyKind {
    pub const ALL: [BodyKind; 3] = [BodyKind::Party, BodyKind::Government, BodyKind::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Party => "party",
            BodyKind::Government => "government",
            BodyKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A resolution (*nghị quyết*) adopted by a unit for a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub id: String,
    pub unit: String,
    pub kind: ResolutionKind,
    /// Ordinal of the congress (24 for *Đại hội lần thứ XXIV*).
    pub congress: Option<u32>,
    pub term: String,
    pub number: Option<String>,
    pub adopted: NaiveDate,
    pub title: String,
    /// The body that adopted it, as written in reports ("Đảng bộ huyện Lục Ngạn").
    pub issuer: Option<String>,
    pub body: BodyKind,
}

/// A congress ordinal as Vietnamese documents write it: 24 is *Đại hội lần thứ XXIV*.
pub fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// Direction of an indicator: which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// The `d` of the brief's formulas.
    pub fn sign(self) -> i32 {
        match self {
            Direction::Higher => 1,
            Direction::Lower => -1,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "higher" => Some(Direction::Higher),
            "lower" => Some(Direction::Lower),
            _ => None,
        }
    }
    pub fn flip(self) -> Self {
        match self {
            Direction::Higher => Direction::Lower,
            Direction::Lower => Direction::Higher,
        }
    }
}

/// How a base indicator's values combine over units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregationMethod {
    Sum,
    Count,
    Min,
    Max,
    Last,
}

impl AggregationMethod {
    pub const ALL: [AggregationMethod; 5] = [
        AggregationMethod::Sum,
        AggregationMethod::Count,
        AggregationMethod::Min,
        AggregationMethod::Max,
        AggregationMethod::Last,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AggregationMethod::Sum => "sum",
            AggregationMethod::Count => "count",
            AggregationMethod::Min => "min",
            AggregationMethod::Max => "max",
            AggregationMethod::Last => "last",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Base indicators are reported; derived ones are a formula over base indicators, evaluated
/// after their inputs are aggregated (a ratio of sums, never an average of ratios).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Base(AggregationMethod),
    Derived {
        formula: String,
    },
    /// The number of units below that report `indicator` with a value meeting the condition:
    /// "communes meeting the new-rural standard" counts the communes whose `ntm-criteria`
    /// is `>= 19`.
    CountWhere {
        indicator: String,
        op: CompareOp,
        value: Decimal,
    },
}

/// A comparison in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CompareOp {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

impl CompareOp {
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Ge,
        CompareOp::Gt,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Ge => ">=",
            CompareOp::Gt => ">",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn holds(self, left: Decimal, right: Decimal) -> bool {
        match self {
            CompareOp::Lt => left < right,
            CompareOp::Le => left <= right,
            CompareOp::Eq => left == right,
            CompareOp::Ne => left != right,
            CompareOp::Ge => left >= right,
            CompareOp::Gt => left > right,
        }
    }
}

/// What is measured (*chỉ số*): name, unit of measure, direction and how it aggregates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    /// Unit of measure: "%", "xã", "ha", "tỷ đồng"...
    pub measure: String,
    pub direction: Direction,
    pub aggregation: Aggregation,
}

/// The field a target belongs to; reviews group targets by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Economy,
    CultureSociety,
    Environment,
    PartyBuilding,
    DefenceSecurity,
    Other,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Economy,
        Field::CultureSociety,
        Field::Environment,
        Field::PartyBuilding,
        Field::DefenceSecurity,
        Field::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Economy => "economy",
            Field::CultureSociety => "culture_society",
            Field::Environment => "environment",
            Field::PartyBuilding => "party_building",
            Field::DefenceSecurity => "defence_security",
            Field::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a target is judged (see the brief's "Targets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The value at the deadline must reach the target.
    Level,
    /// The sum over the term must reach it.
    Cumulative,
    /// The average annual value over the term.
    Average,
    /// Each year must meet it.
    EveryYear,
    /// Never fall below (or above, for lower-is-better) it.
    Maintain,
}

impl TargetKind {
    pub const ALL: [TargetKind; 5] = [
        TargetKind::Level,
        TargetKind::Cumulative,
        TargetKind::Average,
        TargetKind::EveryYear,
        TargetKind::Maintain,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Level => "level",
            TargetKind::Cumulative => "cumulative",
            TargetKind::Average => "average",
            TargetKind::EveryYear => "every_year",
            TargetKind::Maintain => "maintain",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The value a target commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetValue {
    Exact(Decimal),
    /// "admit 90–100 new party members a year": inside the range is achieved.
    Range {
        min: Decimal,
        max: Decimal,
    },
    /// "cut the poverty rate by at least 2 points a year": a signed change per year
    /// (−2 for a cut of two points).
    ChangePerYear(Decimal),
}

/// A phased milestone (*chỉ tiêu phân kỳ*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub period: Period,
    pub value: Decimal,
}

/// The part of a target that adjustments can change. A target's history is its original
/// `TargetSpec` with its adjustments applied in date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// The wording, as in the resolution.
    pub name: String,
    pub value: TargetValue,
    pub deadline: NaiveDate,
}

/// A target (*chỉ tiêu*) of a resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub resolution: String,
    /// Unique within the resolution ("11", "CT11").
    pub code: String,
    pub indicator: String,
    /// The responsible unit.
    pub unit: String,
    pub field: Field,
    pub kind: TargetKind,
    pub baseline: Decimal,
    pub baseline_period: Period,
    /// As adopted.
    pub original: TargetSpec,
    pub milestones: Vec<Milestone>,
    /// Decimals the target is stated to: the measure is rounded half away from zero to
    /// this many places before it is compared with the target.
    pub precision: Option<u32>,
    /// Where the target comes from when several sources set one for the same indicator and
    /// unit ("Nghị quyết Đại hội", "Kế hoạch HĐND", "tỉnh giao").
    pub source: Option<String>,
    /// Demo data not taken from a real document.
    pub illustrative: bool,
    /// The target this one is a share of (*giao chỉ tiêu*), as `resolution/code`: the
    /// province's target of which this is the district's part.
    pub allocated_from: Option<String>,
}

/// The decision that made an adjustment (body, number or conference, date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub body: String,
    /// A document number ("45-NQ/HU") or the name of the conference.
    pub reference: String,
    pub date: NaiveDate,
}

/// What an adjustment is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Target { resolution: String, code: String },
    Task { resolution: String, code: String },
}

/// The change an adjustment makes. At least one part is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub value: Option<TargetValue>,
    pub deadline: Option<NaiveDate>,
    pub wording: Option<String>,
    pub withdraw: bool,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.deadline.is_none() && self.wording.is_none() && !self.withdraw
    }
}

/// An adjustment of a target or task (*điều chỉnh chỉ tiêu*), by a named decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub subject: Subject,
    pub decision: Decision,
    pub reason: String,
    pub change: Change,
}

/// How far an observation is from the final figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// *Ước*: what offices report before the period closes.
    Estimate,
    Preliminary,
    Final,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Estimate, Standing::Preliminary, Standing::Final];
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Estimate => "estimate",
            Standing::Preliminary => "preliminary",
            Standing::Final => "final",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a figure is in its approval workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] = [
        ReviewState::Draft,
        ReviewState::Submitted,
        ReviewState::Returned,
        ReviewState::Approved,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::Submitted => "submitted",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A reported value (*số liệu thực hiện*) for an indicator, a unit and a period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Observation {
    pub unit: String,
    pub indicator: String,
    pub period: Period,
    pub value: Decimal,
    pub standing: Standing,
    pub state: ReviewState,
    pub source: Option<String>,
    pub reported_by: Option<String>,
    /// When the figure became known. Absent: from the first day of its period (an estimate of
    /// a year can be reported during that year, never before it).
    pub reported: Option<NaiveDate>,
}

impl Observation {
    /// The first date on which this figure was known.
    pub fn known_from(&self) -> NaiveDate {
        self.reported.unwrap_or_else(|| self.period.start())
    }
}

/// Kinds of implementing documents (*văn bản triển khai*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// *Nghị quyết*.
    Resolution,
    /// *Chương trình hành động*.
    ActionProgramme,
    /// *Kế hoạch*.
    Plan,
    /// *Hướng dẫn*.
    Guidance,
    /// *Chỉ thị*.
    Directive,
    /// *Kết luận*.
    Conclusion,
    /// *Quyết định*.
    Decision,
    /// *Đề án*.
    Project,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 9] = [
        DocumentKind::Resolution,
        DocumentKind::ActionProgramme,
        DocumentKind::Plan,
        DocumentKind::Guidance,
        DocumentKind::Directive,
        DocumentKind::Conclusion,
        DocumentKind::Decision,
        DocumentKind::Project,
        DocumentKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Resolution => "resolution",
            DocumentKind::ActionProgramme => "action_programme",
            DocumentKind::Plan => "plan",
            DocumentKind::Guidance => "guidance",
            DocumentKind::Directive => "directive",
            DocumentKind::Conclusion => "conclusion",
            DocumentKind::Decision => "decision",
            DocumentKind::Project => "project",
            DocumentKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An implementing document (*văn bản triển khai*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The document number, unique per issuing unit ("08-NQ/HU").
    pub number: String,
    pub kind: DocumentKind,
    pub date: NaiveDate,
    pub title: String,
    /// The issuing unit.
    pub issuer: String,
    /// The resolutions it implements.
    pub resolutions: Vec<String>,
    /// Targets it serves, as `resolution/code`.
    pub targets: Vec<String>,
    pub illustrative: bool,
}

/// Progress of a task as last reported. Withdrawal is not a state: it comes from an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    NotStarted,
    InProgress,
    Done,
}

impl TaskState {
    pub const ALL: [TaskState; 3] = [
        TaskState::NotStarted,
        TaskState::InProgress,
        TaskState::Done,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::NotStarted => "not_started",
            TaskState::InProgress => "in_progress",
            TaskState::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A qualitative task (*nhiệm vụ*) of a resolution, with a due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub resolution: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub field: Field,
    pub due: Option<NaiveDate>,
    pub state: TaskState,
    /// When the task was done, for "as of" questions.
    pub done_on: Option<NaiveDate>,
    pub illustrative: bool,
}

/// What a reorganisation does (*sáp nhập, chia tách, đổi tên*). Informative: the parts say
/// what flows where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReorganisationKind {
    /// Several units become one.
    Merge,
    /// One unit becomes several.
    Split,
    /// One unit continues under another name, code or parent.
    Rename,
    /// Parts of units move to other units.
    Transfer,
}

impl ReorganisationKind {
    pub const ALL: [ReorganisationKind; 4] = [
        ReorganisationKind::Merge,
        ReorganisationKind::Split,
        ReorganisationKind::Rename,
        ReorganisationKind::Transfer,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReorganisationKind::Merge => "merge",
            ReorganisationKind::Split => "split",
            ReorganisationKind::Rename => "rename",
            ReorganisationKind::Transfer => "transfer",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One flow of a reorganisation: `share` (0 < share ≤ 1) of unit `from` becomes part of unit
/// `to`. A merge has one part per old unit with share 1; a split one part per new unit, the
/// shares of the old unit adding up to 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    pub from: String,
    pub to: String,
    pub share: Decimal,
}

/// A change of the unit tree with an effective date: from that date the successors exist and
/// the predecessors have ended. Figures reported by predecessors roll up into successors for
/// any period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reorganisation {
    pub id: String,
    pub kind: ReorganisationKind,
    pub date: NaiveDate,
    /// The decision that made it ("Nghị quyết 1656/NQ-UBTVQH15").
    pub decision: Option<String>,
    pub parts: Vec<Succession>,
}

/// Everything chitieu knows: what a bundle holds and what a store loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub units: Vec<Unit>,
    pub terms: Vec<Term>,
    pub resolutions: Vec<Resolution>,
    pub indicators: Vec<Indicator>,
    pub targets: Vec<Target>,
    pub adjustments: Vec<Adjustment>,
    pub documents: Vec<Document>,
    pub tasks: Vec<Task>,
    pub reorganisations: Vec<Reorganisation>,
    pub observations: Vec<Observation>,
}
