//! Benchmarks of `snc serve` (`cargo bench --bench serve`), through the router in-process as a browser would use
//! it (token cookie, `Host`, `Origin`): the chapter page of the largest chapter, and a save with re-evaluation of
//! one answer (read, version check, validation, atomic write, evaluation, the reply). The assessment is the
//! synthetic one of `snc::testing` (all 278 items answered). Targets are in `docs/performance.md`.

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use criterion::Criterion;
use serde_json::{Value as Json, json};
use snc::model::Lang;
use snc::pack::Pack;
use snc::serve::{self, Config};
use snc::testing::{self, XorShift};
use tower::ServiceExt as _;

const PORT: u16 = 48_200;
const TOKEN: &str = "bench-token";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn main() {
    let pack =
        Arc::new(Pack::embedded().unwrap_or_else(|d| panic!("embedded pack invalid: {d:?}")));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("assessment.json");
    let doc = testing::assessment(&pack, &mut XorShift::new(42), as_of());
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    // The chapter with the most requirements, and its first one.
    let largest = pack
        .chapters
        .iter()
        .max_by_key(|c| {
            pack.requirements
                .iter()
                .filter(|r| r.chapter == c.number)
                .count()
        })
        .expect("a chapter");
    let first = pack
        .requirements
        .iter()
        .find(|r| r.chapter == largest.number)
        .expect("a requirement")
        .id
        .to_string();
    let config = Config {
        assessment: path.clone(),
        lang: Lang::En,
        as_of: as_of(),
        limits: snc::assessment::limits::Limits::default(),
        port: PORT,
        token: TOKEN.to_owned(),
    };
    let router = serve::router(Arc::clone(&pack), config).expect("router");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let send = |request: Request<Body>| {
        runtime.block_on(async {
            let response = router.clone().oneshot(request).await.expect("response");
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            body
        })
    };
    let host = format!("127.0.0.1:{PORT}");
    let cookie = format!("snc_token_{PORT}={TOKEN}");

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("serve/chapter_page_largest", |b| {
        b.iter(|| {
            black_box(send(
                Request::get(format!("/chapter/{}", largest.number))
                    .header(header::HOST, &host)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .expect("request"),
            ))
        });
    });
    let version = RefCell::new(serve::version_of(&std::fs::read(&path).expect("read")));
    let mut flip = false;
    c.bench_function("serve/save_answer_and_evaluate", |b| {
        b.iter(|| {
            flip = !flip;
            let status = if flip {
                "partially_compliant"
            } else {
                "non_compliant"
            };
            let change = json!({"version": *version.borrow(), "fields": [
                ["status", status], ["owner", "Bench"], ["comment", "measured"],
                ["justification", ""], ["target_date", ""]]});
            let body = send(
                Request::post(format!("/api/answer/{first}"))
                    .header(header::HOST, &host)
                    .header(header::COOKIE, &cookie)
                    .header(header::ORIGIN, format!("http://{host}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(change.to_string()))
                    .expect("request"),
            );
            let reply: Json = serde_json::from_slice(&body).expect("reply");
            reply["version"]
                .as_str()
                .expect("version")
                .clone_into(&mut version.borrow_mut());
        });
    });
    c.final_summary();
}
