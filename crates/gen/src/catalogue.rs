//! The indicators of the synthetic country: 70 base indicators that communes report each
//! quarter, with the model of their figures, and derived indicators (formulas over base ids,
//! and a counting indicator). Asking for more than the catalogue holds adds indicators made
//! from templates: base indicators repeated per "nhóm", derived ones per 1,000 inhabitants.

use chitieu_domain::{AggregationMethod, CompareOp, Direction, Field};

use AggregationMethod::{Count, Max, Min, Sum};
use Direction::{Higher as H, Lower as L};
use Field::{
    CultureSociety as CS, DefenceSecurity as DS, Economy as EC, Environment as EN, Other as OT,
    PartyBuilding as PB,
};

/// What a commune's figure scales with, from its profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Driver {
    Pop,
    Households,
    /// People of working age.
    Labour,
    /// Children under five.
    Children,
    Pupils,
    /// Natural area, ha.
    Area,
    /// Forest area, ha.
    Forest,
    /// Farmland, ha.
    Farmland,
    Villages,
    Schools,
    /// Household waste, tonnes a year.
    Waste,
    PoorHouseholds,
    /// Population weighted towards towns (industry, services, revenue).
    Urban,
    One,
    Hundred,
}

/// How a figure moves over time, from 2015.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Form {
    /// Compound growth per year (negative: decline).
    Grow(f64),
    /// A share of the driver that closes this part of its gap to 1 each year, at most 1.
    Share(f64),
    /// New-rural criteria met (0–19), from the commune's profile, less an offset.
    Criteria(f64),
    /// 0 until a quarter drawn per commune, then the driver.
    Step,
}

/// How a year's figure is spread over its quarters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Season {
    /// A stock, reported as at the end of each quarter.
    Stock,
    /// A flow: these shares of the year fall in Q1..Q4 (adding up to 1).
    Flow([f64; 4]),
}

const ST: Season = Season::Stock;
const FL: Season = Season::Flow([0.23, 0.25, 0.24, 0.28]);
const RICE: Season = Season::Flow([0.03, 0.47, 0.15, 0.35]);
const BUDGET: Season = Season::Flow([0.21, 0.24, 0.22, 0.33]);
const TOUR: Season = Season::Flow([0.31, 0.26, 0.24, 0.19]);
const PLANT: Season = Season::Flow([0.38, 0.32, 0.22, 0.08]);
const DRY: Season = Season::Flow([0.45, 0.4, 0.05, 0.1]);
const ARMY: Season = Season::Flow([0.92, 0.0, 0.08, 0.0]);

/// The kind of target a resolution sets on an indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Aim {
    /// Not a target.
    None,
    /// Reach a level by the deadline.
    Level,
    /// Never fall below (above, for lower-is-better) the baseline level.
    Maintain,
    /// Change every year by at least this many points (signed, in the good direction).
    PerYear(f64),
    /// Every year within a range around the baseline.
    Range,
    /// The sum over the term.
    Cumulative,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BaseSpec {
    pub id: String,
    pub name: String,
    pub name_en: &'static str,
    pub measure: &'static str,
    pub direction: Direction,
    pub method: AggregationMethod,
    pub field: Field,
    /// Decimals of the figures (0: whole numbers; 2 for areas and money).
    pub scale: u32,
    pub driver: Driver,
    /// Range of the commune's coefficient on the driver (per year for flows).
    pub lo: f64,
    pub hi: f64,
    pub form: Form,
    pub season: Season,
    /// Relative amplitude of the quarter-to-quarter noise.
    pub noise: f64,
    /// Upper bound of a figure (scores out of 100).
    pub cap: f64,
    pub aim: Aim,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DerivedRule {
    Formula(String),
    CountWhere {
        of: &'static str,
        op: CompareOp,
        value: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DerivedSpec {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub measure: &'static str,
    pub direction: Direction,
    pub field: Field,
    pub rule: DerivedRule,
    /// Decimals targets on it are stated to.
    pub precision: u32,
    pub aim: Aim,
}

impl DerivedSpec {
    /// The base indicators it needs.
    pub fn inputs(&self) -> Vec<String> {
        match &self.rule {
            DerivedRule::Formula(f) => bracketed(f),
            DerivedRule::CountWhere { of, .. } => vec![(*of).to_string()],
        }
    }
}

/// The ids written in brackets in a formula, in order of first appearance.
pub(crate) fn bracketed(formula: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = formula;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let Some(end) = after.find(']') else { break };
        let id = &after[..end];
        if !out.iter().any(|x| x == id) {
            out.push(id.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn b(
    id: &str,
    name: &str,
    name_en: &'static str,
    measure: &'static str,
    direction: Direction,
    method: AggregationMethod,
    field: Field,
    scale: u32,
    driver: Driver,
    (lo, hi): (f64, f64),
    form: Form,
    season: Season,
    noise: f64,
) -> BaseSpec {
    BaseSpec {
        id: id.to_string(),
        name: name.to_string(),
        name_en,
        measure,
        direction,
        method,
        field,
        scale,
        driver,
        lo,
        hi,
        form,
        season,
        noise,
        cap: f64::INFINITY,
        aim: Aim::None,
    }
}

impl BaseSpec {
    fn aim(mut self, aim: Aim) -> Self {
        self.aim = aim;
        self
    }
    fn cap(mut self, cap: f64) -> Self {
        self.cap = cap;
        self
    }
}

use Driver as D;
use Form::{Criteria, Grow, Share, Step};

/// The 70 base indicators, in the order presets take them: the first eight are the inputs of
/// the first three derived indicators.
#[rustfmt::skip]
pub(crate) fn base_catalogue() -> Vec<BaseSpec> {
    vec![
        b("dan-so", "Dân số trung bình", "Average population", "người", H, Count, CS, 0, D::Pop, (0.98, 1.02), Grow(0.009), ST, 0.002),
        b("so-ho", "Số hộ gia đình", "Households", "hộ", H, Count, CS, 0, D::Households, (0.96, 1.04), Grow(0.014), ST, 0.003),
        b("dien-tich-tu-nhien", "Diện tích đất tự nhiên", "Natural area", "ha", H, Count, EN, 2, D::Area, (1.0, 1.0), Grow(0.0), ST, 0.0),
        b("dien-tich-rung", "Diện tích đất có rừng", "Forest area", "ha", H, Count, EN, 2, D::Forest, (0.97, 1.03), Grow(0.008), ST, 0.002),
        b("so-ho-ngheo", "Số hộ nghèo", "Poor households", "hộ", L, Count, CS, 0, D::PoorHouseholds, (0.9, 1.1), Grow(-0.11), ST, 0.02),
        b("thu-ngan-sach", "Thu ngân sách nhà nước trên địa bàn", "State budget revenue collected in the area", "tỷ đồng", H, Sum, EC, 2, D::Urban, (0.003, 0.012), Grow(0.08), BUDGET, 0.08).aim(Aim::Level),
        b("tieu-chi-ntm", "Số tiêu chí nông thôn mới đạt được", "New-rural criteria met", "tiêu chí", H, Max, EC, 0, D::One, (1.0, 1.0), Criteria(0.0), ST, 0.0),
        b("so-nguoi-co-bhyt", "Số người có thẻ bảo hiểm y tế", "Persons holding a health-insurance card", "người", H, Count, CS, 0, D::Pop, (0.6, 0.85), Share(0.15), ST, 0.01),
        b("lao-dong", "Số lao động có việc làm", "Employed persons", "người", H, Count, EC, 0, D::Labour, (0.92, 0.98), Grow(0.01), ST, 0.003),
        b("lao-dong-qua-dao-tao", "Số lao động đã qua đào tạo", "Trained workers", "người", H, Count, CS, 0, D::Labour, (0.35, 0.6), Share(0.06), ST, 0.01),
        b("lao-dong-nong-nghiep", "Số lao động nông, lâm nghiệp và thủy sản", "Workers in agriculture, forestry and fishery", "người", L, Count, EC, 0, D::Labour, (0.3, 0.6), Grow(-0.04), ST, 0.005),
        b("viec-lam-moi", "Số lao động được tạo việc làm mới", "Workers given new jobs", "người", H, Sum, EC, 0, D::Labour, (0.015, 0.03), Grow(0.01), FL, 0.1).aim(Aim::Cumulative),
        b("xuat-khau-lao-dong", "Số người đi làm việc ở nước ngoài theo hợp đồng", "Workers sent abroad under contract", "người", H, Sum, EC, 0, D::Labour, (0.0008, 0.004), Grow(0.04), FL, 0.3),
        b("so-nguoi-tham-gia-bhxh", "Số người tham gia bảo hiểm xã hội", "Persons in social insurance", "người", H, Count, CS, 0, D::Labour, (0.1, 0.3), Share(0.04), ST, 0.01),
        b("tre-em-duoi-5", "Số trẻ em dưới 5 tuổi", "Children under five", "trẻ", H, Count, CS, 0, D::Children, (0.9, 1.1), Grow(-0.01), ST, 0.01),
        b("tre-suy-dinh-duong", "Số trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi", "Stunted children under five", "trẻ", L, Count, CS, 0, D::Children, (0.12, 0.3), Grow(-0.05), ST, 0.03),
        b("bac-si", "Số bác sĩ", "Doctors", "người", H, Count, CS, 0, D::Pop, (0.0005, 0.0011), Grow(0.04), ST, 0.02),
        b("giuong-benh", "Số giường bệnh", "Hospital beds", "giường", H, Count, CS, 0, D::Pop, (0.0022, 0.0035), Grow(0.02), ST, 0.01),
        b("tram-y-te-dat-chuan", "Số trạm y tế đạt Bộ tiêu chí quốc gia về y tế xã", "Commune health stations meeting the national criteria", "trạm", H, Count, CS, 0, D::One, (1.0, 1.0), Step, ST, 0.0),
        b("truong-hoc", "Số trường mầm non, tiểu học và trung học cơ sở", "Kindergartens, primary and lower-secondary schools", "trường", H, Count, CS, 0, D::Schools, (1.0, 1.0), Grow(0.0), ST, 0.0),
        b("truong-dat-chuan", "Số trường đạt chuẩn quốc gia", "Schools meeting the national standard", "trường", H, Count, CS, 0, D::Schools, (0.3, 0.6), Share(0.1), ST, 0.0),
        b("hoc-sinh", "Số học sinh phổ thông", "Pupils", "học sinh", H, Count, CS, 0, D::Pupils, (0.95, 1.05), Grow(0.006), ST, 0.005),
        b("hoc-sinh-bo-hoc", "Số học sinh bỏ học", "School drop-outs", "học sinh", L, Sum, CS, 0, D::Pupils, (0.003, 0.012), Grow(-0.08), FL, 0.2),
        b("so-thon", "Số thôn, tổ dân phố", "Villages and residential groups", "thôn", H, Count, OT, 0, D::Villages, (1.0, 1.0), Grow(0.0), ST, 0.0),
        b("thon-co-nha-van-hoa", "Số thôn, tổ dân phố có nhà văn hóa", "Villages with a cultural house", "thôn", H, Count, CS, 0, D::Villages, (0.55, 0.85), Share(0.15), ST, 0.0),
        b("thon-van-hoa", "Số thôn, tổ dân phố đạt danh hiệu văn hóa", "Villages recognised as cultural", "thôn", H, Count, CS, 0, D::Villages, (0.5, 0.8), Share(0.08), ST, 0.0),
        b("gia-dinh-van-hoa", "Số hộ gia đình đạt danh hiệu gia đình văn hóa", "Households recognised as cultural families", "hộ", H, Count, CS, 0, D::Households, (0.75, 0.88), Share(0.06), ST, 0.005),
        b("ho-nuoc-sach", "Số hộ sử dụng nước sạch", "Households using clean water", "hộ", H, Count, EN, 0, D::Households, (0.35, 0.8), Share(0.1), ST, 0.005),
        b("ho-internet", "Số hộ có kết nối internet băng rộng cố định", "Households with fixed broadband", "hộ", H, Count, EC, 0, D::Households, (0.15, 0.5), Share(0.18), ST, 0.01),
        b("ho-dung-dien", "Số hộ sử dụng điện lưới quốc gia", "Households on the national grid", "hộ", H, Count, EC, 0, D::Households, (0.9, 0.99), Share(0.3), ST, 0.002),
        b("ho-nha-tieu-hvs", "Số hộ có nhà tiêu hợp vệ sinh", "Households with a hygienic latrine", "hộ", H, Count, EN, 0, D::Households, (0.55, 0.9), Share(0.12), ST, 0.005),
        b("ho-so-dich-vu-cong", "Số hồ sơ dịch vụ công trực tuyến được tiếp nhận", "Online public-service applications received", "hồ sơ", H, Sum, EC, 0, D::Pop, (0.005, 0.03), Grow(0.3), FL, 0.1),
        b("dien-tich-lua", "Diện tích gieo trồng lúa", "Rice area sown", "ha", H, Sum, EC, 2, D::Farmland, (0.9, 1.6), Grow(-0.01), RICE, 0.03),
        b("san-luong-lua", "Sản lượng lúa", "Rice output", "tấn", H, Sum, EC, 1, D::Farmland, (5.0, 8.5), Grow(-0.005), RICE, 0.05),
        b("dien-tich-cay-an-qua", "Diện tích cây ăn quả", "Fruit-tree area", "ha", H, Count, EC, 2, D::Farmland, (0.04, 0.2), Grow(0.03), ST, 0.01),
        b("san-luong-thuy-san", "Sản lượng thủy sản", "Fishery output", "tấn", H, Sum, EC, 1, D::Farmland, (0.1, 0.8), Grow(0.04), FL, 0.08),
        b("dan-lon", "Tổng đàn lợn", "Pigs", "con", H, Count, EC, 0, D::Households, (0.4, 1.6), Grow(0.01), ST, 0.06),
        b("dan-gia-cam", "Tổng đàn gia cầm", "Poultry", "nghìn con", H, Count, EC, 1, D::Households, (0.01, 0.04), Grow(0.03), ST, 0.06),
        b("trong-rung-moi", "Diện tích rừng trồng mới", "Forest newly planted", "ha", H, Sum, EN, 2, D::Forest, (0.01, 0.04), Grow(0.0), PLANT, 0.15).aim(Aim::Cumulative),
        b("chay-rung", "Số vụ cháy rừng", "Forest fires", "vụ", L, Sum, EN, 0, D::Forest, (0.0, 0.00015), Grow(0.0), DRY, 0.5),
        b("gtsx-nong-nghiep", "Giá trị sản xuất nông, lâm nghiệp và thủy sản", "Output of agriculture, forestry and fishery", "tỷ đồng", H, Sum, EC, 2, D::Farmland, (0.08, 0.16), Grow(0.05), FL, 0.05),
        b("gtsx-cong-nghiep", "Giá trị sản xuất công nghiệp và xây dựng", "Output of industry and construction", "tỷ đồng", H, Sum, EC, 2, D::Urban, (0.02, 0.15), Grow(0.1), FL, 0.06),
        b("gtsx-dich-vu", "Giá trị sản xuất các ngành dịch vụ", "Output of services", "tỷ đồng", H, Sum, EC, 2, D::Urban, (0.03, 0.09), Grow(0.08), FL, 0.04),
        b("thu-nhap-dan-cu", "Tổng thu nhập của dân cư", "Total household income", "tỷ đồng", H, Sum, EC, 2, D::Pop, (0.022, 0.04), Grow(0.075), FL, 0.03),
        b("chi-ngan-sach", "Chi ngân sách địa phương", "Local budget expenditure", "tỷ đồng", H, Sum, EC, 2, D::Pop, (0.005, 0.01), Grow(0.06), BUDGET, 0.08),
        b("chi-dau-tu-phat-trien", "Chi đầu tư phát triển", "Development investment spending", "tỷ đồng", H, Sum, EC, 2, D::Pop, (0.0015, 0.004), Grow(0.07), BUDGET, 0.12),
        b("von-dau-tu-xa-hoi", "Tổng vốn đầu tư phát triển toàn xã hội", "Total social investment", "tỷ đồng", H, Sum, EC, 2, D::Urban, (0.01, 0.04), Grow(0.09), FL, 0.1).aim(Aim::Cumulative),
        b("doanh-nghiep", "Số doanh nghiệp đang hoạt động", "Active enterprises", "doanh nghiệp", H, Count, EC, 0, D::Urban, (0.0008, 0.004), Grow(0.07), ST, 0.02),
        b("doanh-nghiep-moi", "Số doanh nghiệp thành lập mới", "New enterprises", "doanh nghiệp", H, Sum, EC, 0, D::Urban, (0.0001, 0.0006), Grow(0.05), FL, 0.2).aim(Aim::Level),
        b("hop-tac-xa", "Số hợp tác xã", "Cooperatives", "hợp tác xã", H, Count, EC, 0, D::One, (0.5, 3.5), Grow(0.03), ST, 0.0),
        b("san-pham-ocop", "Số sản phẩm OCOP đạt 3 sao trở lên", "OCOP products rated three stars or more", "sản phẩm", H, Count, EC, 0, D::One, (0.1, 0.8), Grow(0.2), ST, 0.0),
        b("duong-cung-hoa", "Chiều dài đường giao thông nông thôn được cứng hóa", "Rural roads hardened", "km", H, Count, EC, 2, D::Area, (0.002, 0.006), Grow(0.05), ST, 0.002),
        b("khach-du-lich", "Số lượt khách du lịch", "Tourist visits", "lượt", H, Sum, EC, 0, D::Pop, (0.1, 2.0), Grow(0.1), TOUR, 0.1),
        b("chat-thai-phat-sinh", "Khối lượng chất thải rắn sinh hoạt phát sinh", "Household solid waste generated", "tấn", L, Sum, EN, 1, D::Waste, (0.95, 1.05), Grow(0.01), FL, 0.03),
        b("chat-thai-thu-gom", "Khối lượng chất thải rắn sinh hoạt được thu gom, xử lý", "Household solid waste collected and treated", "tấn", H, Sum, EN, 1, D::Waste, (0.4, 0.85), Share(0.1), FL, 0.02),
        b("dien-tich-dat-nong-nghiep", "Diện tích đất nông nghiệp", "Agricultural land", "ha", H, Count, EN, 2, D::Farmland, (1.35, 1.45), Grow(-0.003), ST, 0.0),
        b("dang-vien", "Số đảng viên", "Party members", "đảng viên", H, Count, PB, 0, D::Pop, (0.03, 0.06), Grow(0.015), ST, 0.003),
        b("dang-vien-moi", "Số đảng viên mới kết nạp", "New party members admitted", "đảng viên", H, Sum, PB, 0, D::Pop, (0.0012, 0.0025), Grow(0.0), FL, 0.2).aim(Aim::Range),
        b("chi-bo", "Số chi bộ trực thuộc đảng ủy cơ sở", "Party cells under grassroots committees", "chi bộ", H, Count, PB, 0, D::Villages, (1.05, 1.3), Grow(0.0), ST, 0.0),
        b("chi-bo-htt", "Số chi bộ hoàn thành tốt nhiệm vụ trở lên", "Party cells rated good or better", "chi bộ", H, Count, PB, 0, D::Villages, (0.65, 0.9), Share(0.05), ST, 0.02),
        b("bi-thu-kiem-truong-thon", "Số thôn có bí thư chi bộ đồng thời là trưởng thôn", "Villages whose party secretary is also the village head", "thôn", H, Count, PB, 0, D::Villages, (0.3, 0.7), Share(0.12), ST, 0.0),
        b("vu-pham-phap-hinh-su", "Số vụ phạm pháp hình sự", "Criminal offences", "vụ", L, Sum, DS, 0, D::Pop, (0.0003, 0.001), Grow(-0.03), FL, 0.25),
        b("tai-nan-giao-thong", "Số vụ tai nạn giao thông", "Road accidents", "vụ", L, Sum, DS, 0, D::Pop, (0.00015, 0.0005), Grow(-0.05), FL, 0.3),
        b("nguoi-chet-tngt", "Số người chết do tai nạn giao thông", "Road deaths", "người", L, Sum, DS, 0, D::Pop, (0.00005, 0.0002), Grow(-0.04), FL, 0.3),
        b("nhap-ngu", "Số thanh niên nhập ngũ", "Young people enlisted", "người", H, Sum, DS, 0, D::Pop, (0.0012, 0.002), Grow(0.0), ARMY, 0.05),
        b("dan-quan-tu-ve", "Số dân quân tự vệ", "Militia and self-defence forces", "người", H, Count, DS, 0, D::Pop, (0.012, 0.02), Grow(0.0), ST, 0.01),
        b("chi-so-par", "Chỉ số cải cách hành chính (PAR Index)", "Public administration reform index", "điểm", H, Min, OT, 2, D::One, (60.0, 85.0), Grow(0.01), ST, 0.01).cap(100.0),
        b("chi-so-hai-long", "Chỉ số hài lòng của người dân về dịch vụ hành chính", "Citizen satisfaction with administrative services", "%", H, Min, OT, 2, D::Hundred, (0.7, 0.9), Share(0.1), ST, 0.01),
        b("tieu-chi-ntm-nang-cao", "Số tiêu chí nông thôn mới nâng cao đạt được", "Advanced new-rural criteria met", "tiêu chí", H, Max, EC, 0, D::One, (1.0, 1.0), Criteria(10.0), ST, 0.0),
        b("khoang-cach-benh-vien", "Khoảng cách đến bệnh viện tuyến huyện", "Distance to the district hospital", "km", L, Max, OT, 1, D::One, (2.0, 40.0), Grow(0.0), ST, 0.0),
    ]
}

#[allow(clippy::too_many_arguments)]
fn d(
    id: &str,
    name: &str,
    name_en: &str,
    measure: &'static str,
    direction: Direction,
    field: Field,
    formula: &str,
    precision: u32,
) -> DerivedSpec {
    DerivedSpec {
        id: id.to_string(),
        name: name.to_string(),
        name_en: name_en.to_string(),
        measure,
        direction,
        field,
        rule: DerivedRule::Formula(formula.to_string()),
        precision,
        aim: Aim::Level,
    }
}

impl DerivedSpec {
    fn aim(mut self, aim: Aim) -> Self {
        self.aim = aim;
        self
    }
}

fn count_where(id: &str, name: &str, name_en: &str, of: &'static str, value: i64) -> DerivedSpec {
    DerivedSpec {
        id: id.to_string(),
        name: name.to_string(),
        name_en: name_en.to_string(),
        measure: "xã",
        direction: H,
        field: EC,
        rule: DerivedRule::CountWhere {
            of,
            op: CompareOp::Ge,
            value,
        },
        precision: 0,
        aim: Aim::Level,
    }
}

/// The derived indicators, in the order presets take them (30 by default, the rest spare).
/// Formulas write base ids in brackets: they contain hyphens.
#[rustfmt::skip]
pub(crate) fn derived_catalogue() -> Vec<DerivedSpec> {
    vec![
        d("ty-le-che-phu-rung", "Tỷ lệ che phủ rừng", "Forest cover", "%", H, EN, "[dien-tich-rung] / [dien-tich-tu-nhien] * 100", 1),
        d("ty-le-ho-ngheo", "Tỷ lệ hộ nghèo", "Share of poor households", "%", L, CS, "[so-ho-ngheo] / [so-ho] * 100", 2).aim(Aim::PerYear(-1.5)),
        count_where("xa-dat-ntm", "Số xã đạt chuẩn nông thôn mới", "Communes meeting the new-rural standard", "tieu-chi-ntm", 19),
        d("ty-le-bhyt", "Tỷ lệ dân số tham gia bảo hiểm y tế", "Health-insurance coverage", "%", H, CS, "[so-nguoi-co-bhyt] / [dan-so] * 100", 1),
        d("thu-ngan-sach-binh-quan", "Thu ngân sách bình quân đầu người", "Budget revenue per inhabitant", "triệu đồng/người", H, EC, "[thu-ngan-sach] * 1000 / [dan-so]", 2),
        d("mat-do-dan-so", "Mật độ dân số", "Population density", "người/km²", H, OT, "[dan-so] / [dien-tich-tu-nhien] * 100", 0).aim(Aim::None),
        d("ty-le-lao-dong-qua-dao-tao", "Tỷ lệ lao động qua đào tạo", "Share of trained workers", "%", H, CS, "pct([lao-dong-qua-dao-tao], [lao-dong])", 1),
        d("ty-le-lao-dong-nong-nghiep", "Tỷ trọng lao động nông, lâm nghiệp và thủy sản", "Share of workers in agriculture, forestry and fishery", "%", L, EC, "pct([lao-dong-nong-nghiep], [lao-dong])", 1),
        d("thu-nhap-binh-quan", "Thu nhập bình quân đầu người", "Income per inhabitant", "triệu đồng/người", H, EC, "[thu-nhap-dan-cu] * 1000 / [dan-so]", 1),
        d("ty-le-bhxh", "Tỷ lệ lao động tham gia bảo hiểm xã hội", "Social-insurance coverage of workers", "%", H, CS, "pct([so-nguoi-tham-gia-bhxh], [lao-dong])", 1),
        d("ty-le-tre-suy-dinh-duong", "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi", "Stunting rate of children under five", "%", L, CS, "pct([tre-suy-dinh-duong], [tre-em-duoi-5])", 1),
        d("bac-si-tren-van-dan", "Số bác sĩ trên 1 vạn dân", "Doctors per 10,000 inhabitants", "bác sĩ/vạn dân", H, CS, "[bac-si] / [dan-so] * 10000", 1),
        d("giuong-benh-tren-van-dan", "Số giường bệnh trên 1 vạn dân", "Hospital beds per 10,000 inhabitants", "giường/vạn dân", H, CS, "[giuong-benh] / [dan-so] * 10000", 1),
        d("ty-le-truong-dat-chuan", "Tỷ lệ trường đạt chuẩn quốc gia", "Share of schools meeting the national standard", "%", H, CS, "pct([truong-dat-chuan], [truong-hoc])", 1),
        d("ty-le-hoc-sinh-bo-hoc", "Tỷ lệ học sinh bỏ học", "Drop-out rate", "%", L, CS, "pct([hoc-sinh-bo-hoc], [hoc-sinh])", 2),
        d("ty-le-thon-co-nha-van-hoa", "Tỷ lệ thôn, tổ dân phố có nhà văn hóa", "Share of villages with a cultural house", "%", H, CS, "pct([thon-co-nha-van-hoa], [so-thon])", 1),
        d("ty-le-thon-van-hoa", "Tỷ lệ thôn, tổ dân phố đạt danh hiệu văn hóa", "Share of villages recognised as cultural", "%", H, CS, "pct([thon-van-hoa], [so-thon])", 1),
        d("ty-le-gia-dinh-van-hoa", "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa", "Share of cultural families", "%", H, CS, "pct([gia-dinh-van-hoa], [so-ho])", 1),
        d("ty-le-ho-nuoc-sach", "Tỷ lệ hộ sử dụng nước sạch", "Share of households using clean water", "%", H, EN, "pct([ho-nuoc-sach], [so-ho])", 1),
        d("ty-le-ho-internet", "Tỷ lệ hộ có kết nối internet băng rộng cố định", "Share of households with fixed broadband", "%", H, EC, "pct([ho-internet], [so-ho])", 1),
        d("ty-le-ho-dung-dien", "Tỷ lệ hộ sử dụng điện lưới quốc gia", "Share of households on the national grid", "%", H, EC, "pct([ho-dung-dien], [so-ho])", 1).aim(Aim::Maintain),
        d("ty-le-ho-nha-tieu-hvs", "Tỷ lệ hộ có nhà tiêu hợp vệ sinh", "Share of households with a hygienic latrine", "%", H, EN, "pct([ho-nha-tieu-hvs], [so-ho])", 1),
        d("nang-suat-lua", "Năng suất lúa", "Rice yield", "tạ/ha", H, EC, "[san-luong-lua] * 10 / [dien-tich-lua]", 1),
        d("ty-trong-nong-nghiep", "Tỷ trọng nông, lâm nghiệp và thủy sản trong tổng giá trị sản xuất", "Share of agriculture, forestry and fishery in output", "%", L, EC, "pct([gtsx-nong-nghiep], [gtsx-nong-nghiep] + [gtsx-cong-nghiep] + [gtsx-dich-vu])", 1),
        d("tong-gtsx", "Tổng giá trị sản xuất", "Gross output", "tỷ đồng", H, EC, "[gtsx-nong-nghiep] + [gtsx-cong-nghiep] + [gtsx-dich-vu]", 0),
        d("ty-le-thu-gom-chat-thai", "Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý", "Share of household solid waste collected and treated", "%", H, EN, "pct([chat-thai-thu-gom], [chat-thai-phat-sinh])", 1),
        d("ty-le-chi-bo-htt", "Tỷ lệ chi bộ hoàn thành tốt nhiệm vụ trở lên", "Share of party cells rated good or better", "%", H, PB, "pct([chi-bo-htt], [chi-bo])", 1),
        d("ty-le-dang-vien", "Tỷ lệ đảng viên trên dân số", "Party members per 100 inhabitants", "%", H, PB, "pct([dang-vien], [dan-so])", 2),
        d("ty-le-chi-dau-tu", "Tỷ trọng chi đầu tư phát triển trong tổng chi ngân sách địa phương", "Share of development investment in local spending", "%", H, EC, "pct([chi-dau-tu-phat-trien], [chi-ngan-sach])", 1),
        d("toi-pham-tren-van-dan", "Số vụ phạm pháp hình sự trên 1 vạn dân", "Criminal offences per 10,000 inhabitants", "vụ/vạn dân", L, DS, "[vu-pham-phap-hinh-su] / [dan-so] * 10000", 2),
        d("ty-le-bi-thu-kiem-truong-thon", "Tỷ lệ thôn có bí thư chi bộ đồng thời là trưởng thôn", "Share of villages whose party secretary is the village head", "%", H, PB, "pct([bi-thu-kiem-truong-thon], [so-thon])", 1),
        count_where("xa-dat-ntm-nang-cao", "Số xã đạt chuẩn nông thôn mới nâng cao", "Communes meeting the advanced new-rural standard", "tieu-chi-ntm-nang-cao", 19),
        d("ty-le-duong-cung-hoa", "Đường giao thông nông thôn được cứng hóa trên 1.000 ha", "Hardened rural roads per 1,000 ha", "km/1.000 ha", H, EC, "[duong-cung-hoa] / [dien-tich-tu-nhien] * 1000", 2),
    ]
}

/// The base indicators of a data set: the first `n` of the catalogue, then copies of it per
/// "nhóm" (group) with ids `-n2`, `-n3`...
pub(crate) fn base_indicators(n: usize) -> Vec<BaseSpec> {
    let catalogue = base_catalogue();
    let size = catalogue.len();
    (0..n)
        .filter_map(|k| {
            let mut spec = catalogue.get(k % size)?.clone();
            let group = k / size;
            if group > 0 {
                spec.id = format!("{}-n{}", spec.id, group + 1);
                spec.name = format!("{} (nhóm {})", spec.name, group + 1);
                spec.aim = Aim::None;
            }
            Some(spec)
        })
        .collect()
}

/// The derived indicators of a data set over `base`: catalogue entries whose inputs are all
/// there, then per-1,000-inhabitant figures of base indicators; `None` when `n` cannot be
/// reached.
pub(crate) fn derived_indicators(base: &[BaseSpec], n: usize) -> Option<Vec<DerivedSpec>> {
    let has = |id: &str| base.iter().any(|b| b.id == id);
    let mut out: Vec<DerivedSpec> = derived_catalogue()
        .into_iter()
        .filter(|d| d.inputs().iter().all(|i| has(i)))
        .take(n)
        .collect();
    if out.len() < n && has("dan-so") {
        for spec in base.iter().filter(|b| {
            b.id != "dan-so"
                && matches!(b.method, Sum | Count)
                && matches!(
                    b.measure,
                    "người" | "hộ" | "vụ" | "trẻ" | "học sinh" | "doanh nghiệp" | "đảng viên"
                )
        }) {
            if out.len() >= n {
                break;
            }
            let id = format!("{}-tren-nghin-dan", spec.id);
            out.push(DerivedSpec {
                id,
                name: format!("{} trên 1.000 dân", spec.name),
                name_en: format!("{} per 1,000 inhabitants", spec.name_en),
                measure: "trên 1.000 dân",
                direction: spec.direction,
                field: spec.field,
                rule: DerivedRule::Formula(format!("[{}] / [dan-so] * 1000", spec.id)),
                precision: 2,
                aim: Aim::None,
            });
        }
    }
    (out.len() == n).then_some(out)
}
