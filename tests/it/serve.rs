//! `snc serve` at the HTTP level, every route driven in-process (`tower::ServiceExt::oneshot`): the token and its
//! cookie, the `Host` and origin rules, the security headers, the page contract (`data-requirement`, input names,
//! `data-readiness`, `data-score`), saving (validated, atomic, refused on a conflict), creating the file, attaching
//! evidence, downloads.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value as Json, json};
use sha2::Digest as _;
use snc::model::Lang;
use snc::pack::{Pack, PackSource};
use snc::serve::{self, Config};
use tower::ServiceExt as _;

const PORT: u16 = 48_123;
const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:48123";
const ORIGIN: &str = "http://127.0.0.1:48123";

static PACK: LazyLock<Arc<Pack>> =
    LazyLock::new(|| Arc::new(Pack::load(&PackSource::Embedded).expect("embedded pack")));

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A server over a copy of `example` (or no file at all) in a fresh folder.
struct Server {
    dir: tempfile::TempDir,
    router: Router,
}

impl Server {
    fn new(example: Option<&str>, lang: Lang) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("assessment.json");
        if let Some(example) = example {
            std::fs::copy(root().join(example), &path).expect("copy example");
        }
        let config = Config {
            assessment: path,
            lang,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
            limits: snc::assessment::limits::Limits::default(),
            port: PORT,
            token: TOKEN.to_owned(),
        };
        let router = serve::router(Arc::clone(&PACK), config).expect("router");
        Server { dir, router }
    }

    fn example() -> Server {
        Server::new(Some("examples/saas-on-qualified-iaas.json"), Lang::En)
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("assessment.json")
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path()).expect("assessment")
    }

    fn version(&self) -> String {
        serve::version_of(&self.bytes())
    }

    fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("response");
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            (status, headers, String::from_utf8_lossy(&body).into_owned())
        })
    }

    /// A GET with the session cookie.
    fn get(&self, uri: &str) -> (StatusCode, HeaderMap, String) {
        self.send(
            Request::get(uri)
                .header(header::HOST, HOST)
                .header(header::COOKIE, cookie())
                .body(Body::empty())
                .expect("request"),
        )
    }

    /// A POST of a JSON change as the page sends it: cookie and `Origin`.
    fn post(&self, uri: &str, body: &Json) -> (StatusCode, HeaderMap, String) {
        self.send(
            Request::post(uri)
                .header(header::HOST, HOST)
                .header(header::COOKIE, cookie())
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
    }
}

fn cookie() -> String {
    format!("snc_token_{PORT}={TOKEN}")
}

fn change(version: &str, fields: &[(&str, &str)]) -> Json {
    json!({"version": version, "fields": fields})
}

fn answer_fields(status: &str) -> Vec<(&str, &str)> {
    vec![
        ("status", status),
        ("owner", "Claire"),
        ("comment", ""),
        ("justification", ""),
        ("target_date", ""),
        ("evidence.title", "Security policy v3"),
        ("evidence.ref", "docs/policy.pdf"),
        ("evidence.date", "2026-10-01"),
        ("evidence.kind", "document"),
        ("evidence.sha256", ""),
    ]
}

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/chapter/5"),
    ("GET", "/facts"),
    ("GET", "/report.html"),
    ("GET", "/download/assessment.json"),
    ("GET", "/download/report.json"),
    ("GET", "/assets/serve.js"),
    ("GET", "/assets/serve.css"),
    ("POST", "/api/init"),
    ("POST", "/api/answer/5.1.a"),
    ("POST", "/api/facts"),
    ("POST", "/api/attach/5.1.a?name=a.txt&version=x"),
];

#[test]
fn every_route_refuses_a_request_without_the_token_or_with_a_wrong_one() {
    let server = Server::example();
    let before = server.bytes();
    for (method, uri) in ROUTES {
        for cookie in [None, Some(format!("snc_token_{PORT}={}", "0".repeat(64)))] {
            let mut request = Request::builder()
                .method(*method)
                .uri(*uri)
                .header(header::HOST, HOST)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(c) = &cookie {
                request = request.header(header::COOKIE, c);
            }
            let (status, headers, _) = server.send(
                request
                    .body(Body::from(change(&server.version(), &[]).to_string()))
                    .expect("request"),
            );
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri} {cookie:?}");
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], serve::CSP);
        }
    }
    assert_eq!(server.bytes(), before, "a refused request changed the file");
}

#[test]
fn the_url_token_becomes_an_httponly_samesite_strict_cookie_and_redirects_without_it() {
    let server = Server::example();
    let (status, headers, _) = server.send(
        Request::get(format!("/?token={TOKEN}"))
            .header(header::HOST, HOST)
            .body(Body::empty())
            .expect("request"),
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/");
    let set = headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(
        set.starts_with(&format!("snc_token_{PORT}={TOKEN};")),
        "{set}"
    );
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let (wrong, _, _) = server.send(
        Request::get(format!("/?token={}", "f".repeat(64)))
            .header(header::HOST, HOST)
            .body(Body::empty())
            .expect("request"),
    );
    assert_eq!(wrong, StatusCode::FORBIDDEN);
}

#[test]
fn a_host_other_than_the_loopback_address_or_localhost_with_the_port_is_refused() {
    let server = Server::example();
    for host in [
        "evil.example:48123",
        "127.0.0.1:8080",
        "localhost",
        "127.0.0.1",
        "localhost.evil.example:48123",
        "[::1]:48123",
    ] {
        let (status, _, _) = server.send(
            Request::get("/")
                .header(header::HOST, host)
                .header(header::COOKIE, cookie())
                .body(Body::empty())
                .expect("request"),
        );
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
    }
    for host in ["127.0.0.1:48123", "localhost:48123"] {
        let (status, _, _) = server.send(
            Request::get("/")
                .header(header::HOST, host)
                .header(header::COOKIE, cookie())
                .body(Body::empty())
                .expect("request"),
        );
        assert_eq!(status, StatusCode::OK, "{host}");
    }
}

#[test]
fn a_change_needs_the_page_origin_as_well_as_the_token() {
    let server = Server::example();
    let before = server.bytes();
    let body = change(&server.version(), &answer_fields("compliant")).to_string();
    let attempt = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/api/answer/5.1.a")
            .header(header::HOST, HOST)
            .header(header::COOKIE, cookie())
            .header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        server
            .send(request.body(Body::from(body.clone())).expect("request"))
            .0
    };
    assert_eq!(attempt(&[]), StatusCode::FORBIDDEN, "no origin at all");
    assert_eq!(
        attempt(&[("origin", "http://evil.example")]),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        attempt(&[("origin", "http://127.0.0.1:9999")]),
        StatusCode::FORBIDDEN
    );
    assert_eq!(attempt(&[("origin", "null")]), StatusCode::FORBIDDEN);
    assert_eq!(
        attempt(&[("sec-fetch-site", "cross-site")]),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        attempt(&[("referer", "http://127.0.0.1:48123.evil.example/")]),
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.bytes(), before, "a refused change was written");
    assert_eq!(
        attempt(&[("sec-fetch-site", "same-origin")]),
        StatusCode::OK
    );
}

#[test]
fn a_change_from_the_page_with_a_referer_or_the_localhost_origin_is_accepted() {
    let server = Server::example();
    for header in [
        ("referer", "http://127.0.0.1:48123/chapter/5"),
        ("origin", "http://localhost:48123"),
    ] {
        let body = change(&server.version(), &answer_fields("compliant")).to_string();
        let (status, _, text) = server.send(
            Request::post("/api/answer/5.1.a")
                .header(header::HOST, HOST)
                .header(header::COOKIE, cookie())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header.0, header.1)
                .body(Body::from(body))
                .expect("request"),
        );
        assert_eq!(status, StatusCode::OK, "{header:?}: {text}");
    }
}

#[test]
fn pages_carry_the_strict_csp_nosniff_and_no_referrer() {
    let server = Server::example();
    for uri in ["/", "/chapter/19", "/facts", "/assets/serve.js"] {
        let (status, headers, _) = server.get(uri);
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    }
    let (status, headers, body) = server.get("/report.html");
    assert_eq!(status, StatusCode::OK);
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(body.contains("<html"), "the full report");
}

/// The inputs a chapter page must hold for each requirement, by the contract of the issue.
fn assert_requirement_form(page: &str, id: &str) {
    let start = page
        .find(&format!("data-requirement=\"{id}\""))
        .unwrap_or_else(|| panic!("no form for {id}"));
    let form = &page[page[..start].rfind("<form").expect("form start")..];
    let form = &form[..form.find("</form>").expect("form end")];
    for needle in [
        "<select name=\"status\"",
        "name=\"owner\"",
        "name=\"comment\"",
        "name=\"justification\"",
        "name=\"target_date\"",
        "name=\"evidence.title\"",
        "name=\"evidence.ref\"",
        "name=\"evidence.date\"",
        "name=\"evidence.kind\"",
    ] {
        assert!(form.contains(needle), "{id}: no {needle}");
    }
}

#[test]
fn a_chapter_page_has_a_form_per_applicable_requirement_with_the_contract_names() {
    let server = Server::example();
    let (status, _, page) = server.get("/chapter/5");
    assert_eq!(status, StatusCode::OK);
    for id in ["5.1.a", "5.1.b", "5.2.a"] {
        assert_requirement_form(&page, id);
    }
    assert!(page.contains("data-readiness=\""), "live readiness");
    assert!(page.contains("data-score>"), "live score");
    assert!(page.contains("src=\"/assets/serve.js\""));
    assert!(!page.contains("<script>"), "no inline script");
    let (status, _, _) = server.get("/chapter/99");
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn chapter_filters_keep_only_the_matching_requirements() {
    let server = Server::new(Some("tests/fixtures/diff/new.json"), Lang::En);
    let count = |uri: &str| server.get(uri).2.matches("data-requirement=\"").count();
    let all = count("/chapter/19");
    assert!(all > 0);
    for filter in ["unanswered", "gaps", "critical", "contradicted", "stale"] {
        assert!(
            count(&format!("/chapter/19?filter={filter}")) <= all,
            "{filter}"
        );
    }
    assert!(count("/chapter/19?filter=critical") < all);
}

#[test]
fn the_facts_page_has_an_input_for_every_fact_of_the_vocabulary() {
    let server = Server::example();
    let (status, _, page) = server.get("/facts");
    assert_eq!(status, StatusCode::OK);
    for fact in &PACK.facts {
        assert!(
            page.contains(&format!("name=\"facts.{}\"", fact.path)),
            "no input for {}",
            fact.path
        );
    }
    assert!(page.contains("data-cap-table"), "the cap-table editor");
    assert!(
        page.contains("FR (EU)"),
        "EU members marked in country pickers"
    );
}

#[test]
fn the_summary_shows_readiness_score_gate_and_every_download() {
    let server = Server::example();
    let (status, _, page) = server.get("/");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-readiness=\""));
    for name in [
        "assessment.json",
        "report.json",
        "report.html",
        "report.csv",
    ] {
        assert!(page.contains(&format!("/download/{name}")), "{name}");
        let (status, headers, _) = server.get(&format!("/download/{name}"));
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .expect("ascii")
                .starts_with("attachment"),
            "{name}"
        );
    }
    let (_, _, json) = server.get("/download/assessment.json");
    assert_eq!(json.as_bytes(), server.bytes());
}

#[test]
fn a_french_server_shows_french_labels() {
    let server = Server::new(Some("examples/saas-on-qualified-iaas.json"), Lang::Fr);
    let (_, _, page) = server.get("/chapter/5");
    assert!(
        page.contains("Responsable") && page.contains("Synthèse"),
        "French labels"
    );
}

#[test]
fn hostile_vendor_text_is_escaped_in_every_page() {
    let server = Server::new(Some("tests/fixtures/assessments/hostile.json"), Lang::En);
    for uri in ["/", "/chapter/5", "/chapter/19", "/facts"] {
        let (status, _, page) = server.get(uri);
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!page.contains("<script>document"), "{uri}: raw script");
        assert!(!page.contains("<img src=x"), "{uri}: raw markup");
    }
}

#[test]
fn saving_an_answer_writes_a_valid_file_atomically_and_returns_the_new_verdict() {
    let server = Server::example();
    let version = server.version();
    let (status, _, body) = server.post(
        "/api/answer/5.1.a",
        &change(&version, &answer_fields("partially_compliant")),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: Json = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["version"], server.version());
    assert_ne!(answer["version"], version);
    assert!(answer["readiness"].is_string() && answer["score"].is_string());
    assert!(
        answer["verdict_html"]
            .as_str()
            .expect("fragment")
            .contains("partially")
    );
    let written: Json = serde_json::from_slice(&server.bytes()).expect("written JSON");
    assert_eq!(written["answers"]["5.1.a"]["status"], "partially_compliant");
    assert_eq!(written["answers"]["5.1.a"]["owner"], "Claire");
    assert_eq!(
        written["answers"]["5.1.a"]["evidence"],
        json!([{"title": "Security policy v3", "ref": "docs/policy.pdf", "date": "2026-10-01", "kind": "document"}])
    );
    assert_eq!(
        written["answers"]["5.1.a"]["title"], "Service run at the state of the art",
        "keys the form does not hold are kept"
    );
    snc::assessment::load(&server.path(), &PACK).expect("the file still validates");
    let leftovers: Vec<_> = std::fs::read_dir(server.dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn a_save_against_a_file_changed_since_the_page_loaded_is_refused_with_409() {
    let server = Server::example();
    let version = server.version();
    let mut edited: Json = serde_json::from_slice(&server.bytes()).expect("json");
    edited["vendor"]["name"] = json!("Edited by someone else");
    let other = serde_json::to_vec_pretty(&edited).expect("json");
    std::fs::write(server.path(), &other).expect("edit");
    for (uri, fields) in [
        ("/api/answer/5.1.a", answer_fields("non_compliant")),
        ("/api/facts", vec![("facts.logging.retention_days", "400")]),
    ] {
        let (status, _, body) = server.post(uri, &change(&version, &fields));
        assert_eq!(status, StatusCode::CONFLICT, "{uri}: {body}");
        let answer: Json = serde_json::from_str(&body).expect("json");
        assert_eq!(answer["error"], "conflict");
        assert!(
            answer["message"]
                .as_str()
                .expect("message")
                .contains("Reload")
        );
        assert_eq!(
            server.bytes(),
            other,
            "{uri}: the other edit was overwritten"
        );
    }
}

#[test]
fn invalid_input_is_refused_at_its_field_and_nothing_is_written() {
    let server = Server::example();
    let before = server.bytes();
    let version = server.version();
    let mut fields = answer_fields("compliant");
    fields[4] = ("target_date", "2026-13-45");
    let (status, _, body) = server.post("/api/answer/5.1.a", &change(&version, &fields));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let answer: Json = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["errors"][0]["field"], "target_date", "{body}");

    let mut fields = answer_fields("compliant");
    fields[5] = ("evidence.title", "");
    let (status, _, body) = server.post("/api/answer/5.1.a", &change(&version, &fields));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let answer: Json = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["errors"][0]["field"], "evidence.title");
    assert_eq!(answer["errors"][0]["row"], 0);

    let (status, _, body) = server.post(
        "/api/facts",
        &change(&version, &[("facts.logging.retention_days", "a year")]),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let answer: Json = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["errors"][0]["field"], "facts.logging.retention_days");

    let (status, _, body) = server.post(
        "/api/answer/5.1.a",
        &change(&version, &[("status", "done")]),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, _) = server.post("/api/answer/99.9.z", &change(&version, &[]));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.bytes(), before);
}

#[test]
fn saving_facts_sets_typed_values_and_leaves_other_facts_alone() {
    let server = Server::example();
    let before: Json = serde_json::from_slice(&server.bytes()).expect("json");
    let (status, _, body) = server.post(
        "/api/facts",
        &change(
            &server.version(),
            &[
                ("facts.logging.retention_days", "400"),
                ("facts.company.shareholders", ""),
                ("facts.company.shareholders.name", "Founders"),
                ("facts.company.shareholders.country", "fr"),
                ("facts.company.shareholders.capital_pct", "80"),
                ("facts.company.shareholders.voting_pct", "80,5"),
                ("facts.company.shareholders.name", ""),
                ("facts.company.shareholders.country", ""),
                ("facts.company.shareholders.capital_pct", ""),
                ("facts.company.shareholders.voting_pct", ""),
            ],
        ),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let after: Json = serde_json::from_slice(&server.bytes()).expect("json");
    assert_eq!(after["facts"]["logging"]["retention_days"], 400);
    let holders = after["facts"]["company"]["shareholders"]
        .as_array()
        .expect("rows");
    assert_eq!(holders.len(), 1, "the blank row is left out");
    assert_eq!(holders[0]["country"], "FR");
    assert_eq!(holders[0]["voting_pct"], 80.5);
    assert_eq!(
        after["facts"]["data"], before["facts"]["data"],
        "facts not in the form are kept"
    );
    assert_eq!(after["answers"], before["answers"]);
}

#[test]
fn the_first_page_of_a_missing_file_creates_it_as_snc_init_does() {
    let server = Server::new(None, Lang::En);
    let (status, _, page) = server.get("/");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"service_type\"") && page.contains("name=\"built_on\""));
    let (status, _, body) = server.post("/api/init", &change("", &[("vendor", "Acme")]));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(!server.path().exists());
    let (status, _, body) = server.post(
        "/api/init",
        &change(
            "",
            &[
                ("service_type", "saas"),
                ("built_on", "iaas"),
                ("vendor", "Acme"),
                ("service", "Payroll"),
            ],
        ),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let init_dir = tempfile::tempdir().expect("dir");
    let expected = init_dir.path().join("expected.json");
    crate::common::snc()
        .args([
            "init",
            "--service-type",
            "saas",
            "--built-on",
            "iaas",
            "--vendor",
            "Acme",
            "--service",
            "Payroll",
            "-o",
        ])
        .arg(&expected)
        .assert()
        .success();
    assert_eq!(
        server.bytes(),
        std::fs::read(&expected).expect("init output")
    );
    let (status, _, _) = server.post("/api/init", &change("", &[("service_type", "saas")]));
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an existing file is never replaced"
    );
}

#[test]
fn a_file_that_does_not_validate_is_shown_with_its_errors_not_overwritten() {
    let server = Server::new(
        Some("tests/fixtures/assessments/wrong-status-and-type.json"),
        Lang::En,
    );
    let before = server.bytes();
    let (status, _, page) = server.get("/");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("assessment.json"), "the errors name the file");
    let (status, _, _) = server.post(
        "/api/answer/5.1.a",
        &change(&server.version(), &answer_fields("compliant")),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.bytes(), before);
}

fn attach(server: &Server, id: &str, name: &str, content: &[u8]) -> (StatusCode, String) {
    let (status, _, body) = server.send(
        Request::post(format!(
            "/api/attach/{id}?name={name}&version={}",
            server.version()
        ))
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie())
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(content.to_vec()))
        .expect("request"),
    );
    (status, body)
}

fn check_codes(path: &Path, id: &str) -> Vec<String> {
    let output = crate::common::snc()
        .args([
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--as-of",
            "2026-11-28",
        ])
        .arg(path)
        .output()
        .expect("snc check");
    let report: Json = serde_json::from_slice(&output.stdout).expect("report");
    crate::common::requirement(&report, id)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn attach_copies_the_file_into_evidence_and_check_reports_it_missing_or_changed() {
    let server = Server::example();
    let (status, body) = attach(&server, "5.1.a", "../Policy%20v3.pdf", b"%PDF policy");
    assert_eq!(status, StatusCode::OK, "{body}");
    let copy = server.dir.path().join("evidence/Policy_v3.pdf");
    assert_eq!(std::fs::read(&copy).expect("copied"), b"%PDF policy");
    let written: Json = serde_json::from_slice(&server.bytes()).expect("json");
    let last = written["answers"]["5.1.a"]["evidence"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("row");
    assert_eq!(last["ref"], "evidence/Policy_v3.pdf");
    assert_eq!(
        last["sha256"],
        format!("{:x}", sha2::Sha256::digest(b"%PDF policy"))
    );
    let codes = check_codes(&server.path(), "5.1.a");
    assert!(
        !codes.iter().any(|c| c.starts_with("evidence-file")),
        "{codes:?}"
    );

    // A second file of the same name and other content gets its own name.
    let (status, _) = attach(&server, "5.1.a", "Policy%20v3.pdf", b"other");
    assert_eq!(status, StatusCode::OK);
    assert!(server.dir.path().join("evidence/Policy_v3-2.pdf").exists());

    std::fs::write(&copy, b"%PDF altered").expect("alter");
    assert!(check_codes(&server.path(), "5.1.a").contains(&"evidence-file-changed".to_owned()));
    std::fs::remove_file(&copy).expect("remove");
    assert!(check_codes(&server.path(), "5.1.a").contains(&"evidence-file-missing".to_owned()));
}
