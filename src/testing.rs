//! Synthetic assessments: valid against the pack's schema, realistic in shape (a maturity level drives statuses,
//! facts and evidence), and deterministic from their entropy. Benchmarks, property tests and fuzz targets share
//! this generator, so that what is measured is what is tested.
//!
//! The generator starts from the skeleton `snc init` writes and fills it as a vendor would.

use chrono::{Days, NaiveDate};
use serde_json::{Map, Value as Json, json};

use crate::assessment::skeleton::skeleton;
use crate::model::{EvidenceKind, Lang, ServiceType, Status};
use crate::pack::{COUNTRIES, FactType, LANGUAGES, Pack, Scalar};

/// A source of choices.
pub trait Entropy {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64;

    /// A free text where a vendor would write `typical`: realistic sources return it, a fuzzer anything.
    fn text(&mut self, typical: &str) -> String {
        typical.to_owned()
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// xorshift64*: small, fast and good enough to shape test data (not for anything secret).
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for `seed`; every seed, 0 included, gives its own sequence.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        // splitmix64 of the seed: never 0, and nearby seeds start far apart.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }
}

impl Entropy for XorShift {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Choices read from bytes (a fuzzer's input), then zeros; texts are taken from the bytes too, so that any
/// string can reach the renderers.
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        head
    }
}

impl Entropy for Bytes<'_> {
    fn next_u64(&mut self) -> u64 {
        let mut word = [0_u8; 8];
        let bytes = self.take(8);
        word[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(word)
    }

    fn text(&mut self, typical: &str) -> String {
        let len = self.take(1).first().copied().unwrap_or(0);
        if len < 128 {
            return typical.to_owned();
        }
        let text = String::from_utf8_lossy(self.take(usize::from(len - 128))).into_owned();
        if text.trim().is_empty() {
            typical.to_owned()
        } else {
            text
        }
    }
}

fn pick<'a, T>(entropy: &mut impl Entropy, items: &'a [T]) -> &'a T {
    let i = usize::try_from(entropy.below(items.len() as u64)).unwrap_or(0);
    &items[i]
}

fn pick_text(entropy: &mut impl Entropy, typical: &[&str]) -> String {
    let typical = *pick(entropy, typical);
    entropy.text(typical)
}

fn date_around(entropy: &mut impl Entropy, as_of: NaiveDate, past: u64, future: u64) -> NaiveDate {
    let shift = entropy.below(past + future + 1);
    if shift < past {
        as_of.checked_sub_days(Days::new(past - shift))
    } else {
        as_of.checked_add_days(Days::new(shift - past))
    }
    .unwrap_or(as_of)
}

const WORDS: &[&str] = &[
    "policy",
    "review",
    "register",
    "procedure",
    "report",
    "contract",
    "audit",
    "plan",
    "matrix",
    "charter",
    "runbook",
    "minutes",
];
const NAMES: &[&str] = &[
    "Acme SAS",
    "Nuage Souverain",
    "Datavault SA",
    "Hexagone Cloud",
    "Logiciel & Fils",
    "Orbe Systèmes",
];
const PROVIDERS: &[&str] = &["Outscale", "OVHcloud", "Cloud Temple", "S3NS", "NumSpot"];
const OWNERS: &[&str] = &["RSSI", "CTO", "legal", "DPO", "ops", "HR"];

/// A valid assessment of `pack` for an evaluation on `as_of`: service types, layers, facts, answers, evidence and
/// target dates all drawn from `entropy`, around a maturity level that makes most answers of a mature vendor
/// compliant and most of a beginner's open.
pub fn assessment(pack: &Pack, entropy: &mut impl Entropy, as_of: NaiveDate) -> Json {
    let types: Vec<ServiceType> = match entropy.below(10) {
        0..=4 => vec![ServiceType::SaaS],
        5..=7 => vec![ServiceType::PaaS],
        8 => vec![ServiceType::CaaS, ServiceType::PaaS],
        _ => vec![ServiceType::IaaS],
    };
    let layers: Vec<ServiceType> = if types.contains(&ServiceType::IaaS) || entropy.chance(200) {
        Vec::new()
    } else if entropy.chance(850) {
        vec![ServiceType::IaaS]
    } else {
        vec![ServiceType::IaaS, ServiceType::PaaS]
    };
    let lang = if entropy.chance(500) {
        Lang::Fr
    } else {
        Lang::En
    };
    let vendor = pick_text(entropy, NAMES);
    let service = entropy.text("Service");
    let mut doc = skeleton(pack, &types, &layers, &vendor, &service, lang);
    fill(pack, &mut doc, entropy, as_of);
    doc
}

/// Fills an assessment skeleton as `snc init` writes it (see [`crate::assessment::skeleton::skeleton`]) the way a
/// vendor would: contact, providers, facts of the declared types, and an answer for most requirements. The result
/// is valid for the pack.
pub fn fill(pack: &Pack, doc: &mut Json, entropy: &mut impl Entropy, as_of: NaiveDate) {
    let maturity = entropy.below(1001);
    if entropy.chance(700) {
        doc["vendor"]["contact"] = json!(entropy.text("rssi@vendor.example"));
    }
    let mut has_layers = false;
    if let Some(built_on) = doc["service"]["built_on"].as_array_mut() {
        for layer in built_on {
            has_layers = true;
            layer["provider"] = json!(pick_text(entropy, PROVIDERS));
            layer["offer"] = json!(entropy.text("sovereign offer"));
            layer["secnumcloud_qualified"] = json!(entropy.chance(300 + maturity / 2));
            layer["qualification_valid_until"] =
                json!(date_around(entropy, as_of, 200, 1000).to_string());
        }
    }

    let eu: Vec<String> = pack
        .constants
        .get("EU")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Json::as_str)
                .filter(|c| COUNTRIES.contains(c))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut filler = Filler {
        entropy,
        maturity,
        as_of,
        eu,
    };
    for fact in &pack.facts {
        if !filler.entropy.chance(400 + maturity / 2) {
            continue;
        }
        let value = filler.fact(&fact.ty);
        let mut node = &mut doc["facts"];
        for segment in fact.path.split('.') {
            node = &mut node[segment];
        }
        *node = value;
    }

    keep_cap_table_whole(&mut doc["facts"]["company"]);

    let entropy = filler.entropy;
    if let Some(answers) = doc["answers"].as_object_mut() {
        for (id, answer) in answers.iter_mut() {
            let inheritable = id
                .parse()
                .ok()
                .and_then(|id| pack.requirement(&id))
                .is_some_and(|r| r.inheritable);
            if entropy.chance(900) {
                fill_answer(answer, entropy, maturity, inheritable && has_layers, as_of);
            }
        }
        if entropy.chance(50) {
            answers.insert("99.9.z".to_owned(), json!({"status": "compliant"}));
        }
    }
}

/// Scales random shares down so that a cap table's capital and votes, with a listed company's undeclared float,
/// add up to 100 % at most: more is refused when the assessment is read.
fn keep_cap_table_whole(company: &mut Json) {
    let float = if company["listed"].as_bool() == Some(true) {
        company["undeclared_float_pct"].as_f64().unwrap_or(0.0)
    } else {
        0.0
    };
    let Some(rows) = company["shareholders"].as_array_mut() else {
        return;
    };
    for column in ["capital_pct", "voting_pct"] {
        let total: f64 = rows.iter().filter_map(|r| r[column].as_f64()).sum();
        let room = 100.0 - float;
        if total <= room {
            continue;
        }
        for row in rows.iter_mut() {
            if let Some(pct) = row[column].as_f64() {
                row[column] = json!((pct * room / total * 100.0).floor() / 100.0);
            }
        }
    }
}

fn fill_answer(
    answer: &mut Json,
    entropy: &mut impl Entropy,
    maturity: u64,
    inheritable: bool,
    as_of: NaiveDate,
) {
    let roll = entropy.below(1000);
    let status = if inheritable && roll < 150 {
        Status::Inherited
    } else if roll < 150 + maturity * 6 / 10 {
        Status::Compliant
    } else {
        *pick(
            entropy,
            &[
                Status::PartiallyCompliant,
                Status::PartiallyCompliant,
                Status::NonCompliant,
                Status::NotAssessed,
                Status::NotApplicable,
            ],
        )
    };
    answer["status"] = json!(status);
    if matches!(status, Status::Inherited | Status::NotApplicable) && entropy.chance(900) {
        answer["justification"] = json!(entropy.text("carried by the qualified provider"));
    }
    if matches!(status, Status::Compliant | Status::PartiallyCompliant) {
        let count = if entropy.chance(100) {
            0
        } else {
            1 + entropy.below(3)
        };
        let evidence: Vec<Json> = (0..count)
            .map(|_| {
                let typical = format!("{} v{}", pick(entropy, WORDS), 1 + entropy.below(5));
                let mut e = json!({ "title": entropy.text(&typical) });
                if entropy.chance(800) {
                    e["date"] = json!(date_around(entropy, as_of, 700, 0).to_string());
                }
                if entropy.chance(600) {
                    e["ref"] = json!(entropy.text("docs/evidence.pdf"));
                }
                if entropy.chance(500) {
                    e["kind"] = json!(pick(entropy, EvidenceKind::ALL));
                }
                e
            })
            .collect();
        answer["evidence"] = Json::Array(evidence);
    }
    if !status.is_met() && entropy.chance(600) {
        answer["target_date"] = json!(date_around(entropy, as_of, 120, 400).to_string());
    }
    if entropy.chance(700) {
        answer["owner"] = json!(pick_text(entropy, OWNERS));
    }
    if entropy.chance(200) {
        answer["comment"] = json!(entropy.text("see the register"));
    }
}

struct Filler<'e, E> {
    entropy: &'e mut E,
    maturity: u64,
    as_of: NaiveDate,
    eu: Vec<String>,
}

impl<E: Entropy> Filler<'_, E> {
    fn fact(&mut self, ty: &FactType) -> Json {
        match ty {
            FactType::Scalar(s) => self.scalar(s),
            FactType::List(s) => {
                let n = 1 + self.entropy.below(4);
                Json::Array((0..n).map(|_| self.scalar(s)).collect())
            }
            FactType::Objects(fields) => {
                let n = 1 + self.entropy.below(6);
                Json::Array(
                    (0..n)
                        .map(|_| {
                            let mut object = Map::new();
                            for f in fields {
                                if self.entropy.chance(50) {
                                    continue;
                                }
                                let value = if f.list {
                                    let k = self.entropy.below(4);
                                    Json::Array((0..k).map(|_| self.scalar(&f.ty)).collect())
                                } else {
                                    self.scalar(&f.ty)
                                };
                                object.insert(f.name.clone(), value);
                            }
                            Json::Object(object)
                        })
                        .collect(),
                )
            }
        }
    }

    fn scalar(&mut self, ty: &Scalar) -> Json {
        let e = &mut *self.entropy;
        match ty {
            Scalar::String => json!(pick_text(e, WORDS)),
            Scalar::Boolean => json!(e.chance(300 + self.maturity * 7 / 10)),
            Scalar::Integer => json!(*pick(e, &[0_u64, 7, 14, 21, 30, 90, 183, 365, 400, 730])),
            #[expect(
                clippy::cast_precision_loss,
                reason = "at most 10^7 fits in an f64 exactly"
            )]
            Scalar::Number => json!(e.below(10_000_001) as f64 / 100.0),
            #[expect(clippy::cast_precision_loss, reason = "at most 10^4")]
            Scalar::Percent => json!(e.below(10_001) as f64 / 100.0),
            Scalar::Date => json!(date_around(e, self.as_of, 900, 60).to_string()),
            Scalar::Country => {
                if !self.eu.is_empty() && e.chance(400 + self.maturity * 6 / 10) {
                    json!(pick(e, &self.eu))
                } else {
                    json!(pick(e, COUNTRIES))
                }
            }
            Scalar::Language => {
                if e.chance(700) {
                    json!("fr")
                } else {
                    json!(pick(e, LANGUAGES))
                }
            }
            Scalar::Enum(values) => json!(pick(e, values)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_is_deterministic_and_seeds_differ() {
        let a: Vec<u64> = (0..4)
            .scan(XorShift::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(XorShift::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..4)
            .scan(XorShift::new(0), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(c.iter().all(|&x| x != 0));
    }

    #[test]
    fn bytes_run_out_into_zeros_and_texts() {
        let mut b = Bytes::new(&[1, 0, 0, 0, 0, 0, 0, 0, 130, b'h', b'i', 2]);
        assert_eq!(b.next_u64(), 1);
        assert_eq!(b.text("x"), "hi");
        assert_eq!(b.text("x"), "x");
        assert_eq!(b.next_u64(), 0);
    }
}
