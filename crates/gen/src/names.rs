//! Vietnamese-looking place names from two syllables of common Sino-Vietnamese place-name
//! words (Bình, Phú, Sơn...). Written precomposed, so every name is NFC.

use std::collections::HashSet;

use crate::rng::Rng;

const FIRST: [&str; 56] = [
    "An",
    "Bắc",
    "Bình",
    "Cẩm",
    "Đại",
    "Định",
    "Đông",
    "Đức",
    "Gia",
    "Hà",
    "Hải",
    "Hậu",
    "Hiệp",
    "Hòa",
    "Hồng",
    "Hưng",
    "Hương",
    "Khánh",
    "Kim",
    "Lạc",
    "Lâm",
    "Liên",
    "Long",
    "Minh",
    "Mỹ",
    "Nam",
    "Nghĩa",
    "Ngọc",
    "Nhơn",
    "Phú",
    "Phúc",
    "Phước",
    "Phượng",
    "Quang",
    "Quảng",
    "Quế",
    "Sơn",
    "Tam",
    "Tân",
    "Tây",
    "Thạch",
    "Thái",
    "Thanh",
    "Thạnh",
    "Thiện",
    "Thuận",
    "Thượng",
    "Tiên",
    "Trung",
    "Trường",
    "Tuy",
    "Vạn",
    "Văn",
    "Vĩnh",
    "Xuân",
    "Yên",
];

const SECOND: [&str; 56] = [
    "An", "Bình", "Cát", "Châu", "Cường", "Dương", "Điền", "Đông", "Giang", "Hà", "Hải", "Hiệp",
    "Hòa", "Hội", "Hưng", "Khê", "Kiều", "Lạc", "Lâm", "Lập", "Lộc", "Lợi", "Long", "Lương",
    "Minh", "Mỹ", "Nghĩa", "Nhân", "Ninh", "Phong", "Phú", "Phúc", "Phước", "Quang", "Quý", "Sơn",
    "Tài", "Tân", "Thành", "Thạnh", "Thịnh", "Thọ", "Thuận", "Thủy", "Tiến", "Trạch", "Trung",
    "Tường", "Uyên", "Vân", "Việt", "Vinh", "Xá", "Xuân", "Yên", "Đạt",
];

/// A place name of two different syllables ("Phú Lâm").
pub(crate) fn place(rng: &mut Rng) -> String {
    loop {
        let a = rng.pick(&FIRST);
        let b = rng.pick(&SECOND);
        if a != b {
            return format!("{a} {b}");
        }
    }
}

/// A place name not in `taken` (tries a while, then accepts a repeat: real names repeat too),
/// recorded in `taken`.
pub(crate) fn fresh(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    let mut name = place(rng);
    for _ in 0..64 {
        if !taken.contains(&name) {
            break;
        }
        name = place(rng);
    }
    taken.insert(name.clone());
    name
}

pub(crate) use chitieu_domain::roman;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "I");
        assert_eq!(roman(19), "XIX");
        assert_eq!(roman(24), "XXIV");
    }
}
