//! `snc serve`: the assessment as a local web questionnaire. An HTTP/1 server on the loopback address, on one
//! thread, whose pages are rendered from Handlebars templates (`reports/templates/serve/`) in the user's language,
//! with one small embedded script for saving as the user types.
//!
//! Who may talk to it: a request must name the server in `Host` (`127.0.0.1:PORT` or `localhost:PORT`, against DNS
//! rebinding) and carry the session token, as the cookie set when the URL printed at start is opened; a request
//! that changes anything must also come from the page itself (`Origin`, else `Sec-Fetch-Site` or `Referer`). Every
//! response carries a strict Content-Security-Policy.
//!
//! What it guarantees to the file: every change is validated against the pack before it is written, atomically
//! (`crate::fs`), and only if the file is still the one the page loaded (its digest); otherwise the change is
//! refused with 409 and never written.

pub mod edit;
mod view;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use handlebars::Handlebars;
use rust_embed::RustEmbed;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::assessment::Assessment;
use crate::assessment::limits::Limits;
use crate::engine::RunInputs;
use crate::engine::gate::policy::Policy;
use crate::model::error::Error;
use crate::model::{Lang, ServiceType};
use crate::msg;
use crate::pack::Pack;
use crate::report::{Format, Renderer, Report};

use self::edit::{FieldError, Fields};

/// The Content-Security-Policy of every page: nothing but the server's own script, style and images.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of the full HTML report shown from the server: its style is inline, and it runs no script.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The largest evidence file `attach` copies.
pub const MAX_ATTACHMENT_BYTES: usize = 64 << 20;

#[derive(RustEmbed)]
#[folder = "reports/templates/serve/"]
struct Embedded;

/// What the server serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The assessment file; created by the first page when it does not exist.
    pub assessment: PathBuf,
    pub lang: Lang,
    /// The evaluation date of every verdict shown.
    pub as_of: NaiveDate,
    pub limits: Limits,
    /// The port the server listens on, which `Host` and `Origin` must name.
    pub port: u16,
    /// The session token: the URL printed at start carries it, the cookie keeps it.
    pub token: String,
}

/// The server's state, shared by every request.
pub struct App {
    pack: Arc<Pack>,
    config: Config,
    pages: Handlebars<'static>,
    /// Held while a change is read, checked and written, so that two saves never interleave.
    write: Mutex<()>,
}

/// Where the token's randomness comes from, to name it should it fail.
const RANDOM_SOURCE: &str = "/dev/urandom";

/// A new session token: 32 random bytes from the operating system, in hex.
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::io(
            RANDOM_SOURCE,
            msg!("io.read"),
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(bytes.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}

/// Listens on the loopback address, on `port` or a free one.
pub fn bind(port: Option<u16>) -> Result<std::net::TcpListener, Error> {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0)));
    std::net::TcpListener::bind(address)
        .map_err(|e| Error::io(address.to_string(), msg!("io.listen"), e))
}

/// Serves `router` on `listener` until the process ends, on a single-threaded runtime.
pub fn run(listener: std::net::TcpListener, router: Router) -> Result<(), Error> {
    let address = listener
        .local_addr()
        .map_or_else(|_| "127.0.0.1".to_owned(), |a| a.to_string());
    let fail = |e: std::io::Error| Error::io(address.clone(), msg!("io.listen"), e);
    listener.set_nonblocking(true).map_err(fail)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(fail)?;
    runtime
        .block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, router).await
        })
        .map_err(fail)
}

/// The URL to open: the server's address with the session token.
#[must_use]
pub fn url(config: &Config) -> String {
    format!("http://127.0.0.1:{}/?token={}", config.port, config.token)
}

/// The server's routes, behind the token, `Host` and origin checks.
pub fn router(pack: Arc<Pack>, config: Config) -> Result<Router, Error> {
    let app = Arc::new(App {
        pack,
        config,
        pages: templates()?,
        write: Mutex::new(()),
    });
    Ok(Router::new()
        .route("/", get(summary))
        .route("/chapter/{number}", get(chapter))
        .route("/facts", get(facts))
        .route("/report.html", get(report_page))
        .route("/download/{name}", get(download))
        .route("/assets/{name}", get(asset))
        .route("/api/init", post(init))
        .route("/api/answer/{id}", post(save_answer))
        .route("/api/facts", post(save_facts))
        .route(
            "/api/attach/{id}",
            post(attach).layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES)),
        )
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app))
}

fn templates() -> Result<Handlebars<'static>, Error> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    let mut problems = Vec::new();
    for name in Embedded::iter() {
        let Some(stem) = name.strip_suffix(".hbs") else {
            continue;
        };
        let stem = stem.rsplit('/').next().unwrap_or(stem);
        let Some(file) = Embedded::get(&name) else {
            continue;
        };
        let text = String::from_utf8_lossy(&file.data);
        if let Err(e) = registry.register_template_string(stem, text) {
            let file = format!("<embedded>/reports/templates/serve/{name}");
            let error = e.reason().to_string();
            problems.push(crate::model::error::Diagnostic::file(
                file,
                msg!("serve.template", error),
            ));
        }
    }
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(Error::Invalid(problems))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Who may talk to the server.

fn cookie_name(port: u16) -> String {
    // Cookies do not tell ports apart: two servers on one machine need two names.
    format!("snc_token_{port}")
}

/// Compares in a time that does not depend on where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl App {
    /// The origins the page is served from.
    fn origins(&self) -> [String; 2] {
        let port = self.config.port;
        [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ]
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        let port = self.config.port;
        header_str(headers, header::HOST).is_some_and(|host| {
            host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
        })
    }

    fn cookie_ok(&self, headers: &HeaderMap) -> bool {
        let name = cookie_name(self.config.port);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(n, v)| n == name && same_secret(v, &self.config.token))
    }

    /// A state-changing request comes from the page: its `Origin`, else `Sec-Fetch-Site: same-origin`, else its
    /// `Referer`, names this server.
    fn same_origin(&self, headers: &HeaderMap) -> bool {
        let origins = self.origins();
        if let Some(origin) = header_str(headers, header::ORIGIN) {
            return origins.iter().any(|o| o == origin);
        }
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            return site == "same-origin";
        }
        header_str(headers, header::REFERER).is_some_and(|referer| {
            origins.iter().any(|o| {
                referer
                    .strip_prefix(o.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        })
    }

    fn token_in_query(&self, query: Option<&str>) -> bool {
        query.is_some_and(|q| {
            q.split('&')
                .filter_map(|pair| pair.split_once('='))
                .any(|(n, v)| n == "token" && same_secret(v, &self.config.token))
        })
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "403 Forbidden\n",
    )
        .into_response()
}

/// Every request passes here: `Host`, then the token (the URL's, turned into a cookie, or the cookie), then the
/// origin of a state-changing request; every response gets the security headers.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = admit(&app, request, next).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

async fn admit(app: &App, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if !app.host_ok(headers) {
        return forbidden();
    }
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if safe && request.uri().path() == "/" && app.token_in_query(request.uri().query()) {
        let cookie = format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            cookie_name(app.config.port),
            app.config.token
        );
        return Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, "/")
            .header(header::SET_COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_else(|_| forbidden());
    }
    if !app.cookie_ok(headers) {
        return forbidden();
    }
    if !safe && !app.same_origin(headers) {
        return forbidden();
    }
    next.run(request).await
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and evaluating the file.

/// `sha256:` of a file's bytes: the version a page sends back with each change.
#[must_use]
pub fn version_of(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// The file read and evaluated.
pub(crate) struct Current {
    pub version: String,
    pub report: Report,
    pub assessment: Assessment,
}

impl App {
    fn path(&self) -> &Path {
        &self.config.assessment
    }

    fn display(&self) -> String {
        self.path().display().to_string()
    }

    fn read(&self) -> Result<Vec<u8>, Error> {
        std::fs::read(self.path()).map_err(|e| Error::io(self.path(), msg!("io.read"), e))
    }

    fn evaluate(&self, assessment: Assessment) -> Result<Report, Error> {
        let policy = Policy::default();
        let inputs = RunInputs {
            as_of: self.config.as_of,
            policy: &policy,
            baseline: None,
            review: None,
        };
        let outcome = crate::engine::run(&self.pack, assessment, &inputs)?;
        Ok(Report::build(&outcome, self.config.lang))
    }

    fn parse(&self, bytes: &[u8]) -> Result<Assessment, Error> {
        let mut assessment =
            crate::assessment::parse_with(&self.display(), bytes, &self.pack, &self.config.limits)?;
        crate::assessment::check_evidence_files(&mut assessment, self.path());
        Ok(assessment)
    }

    pub(crate) fn current(&self) -> Result<Current, Error> {
        let bytes = self.read()?;
        let assessment = self.parse(&bytes)?;
        let report = self.evaluate(assessment.clone())?;
        Ok(Current {
            version: version_of(&bytes),
            report,
            assessment,
        })
    }

    fn render(&self, template: &str, data: &impl serde::Serialize) -> Response {
        match self.pages.render(template, data) {
            Ok(html) => html_response(html),
            Err(e) => internal(&e.to_string()),
        }
    }

    /// A page, or the page saying why the file cannot be shown.
    fn page(&self, build: impl FnOnce(&App, &Current) -> Response) -> Response {
        if !self.path().exists() {
            return self.render("init", &view::init(self));
        }
        match self.current() {
            Ok(current) => build(self, &current),
            Err(e) => {
                let mut response = self.render("broken", &view::broken(self, &e));
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                response
            }
        }
    }
}

fn html_response(html: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

fn internal(message: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------------------------
// Pages.

#[derive(Deserialize)]
struct ChapterQuery {
    #[serde(default)]
    filter: Option<String>,
}

async fn summary(State(app): State<Arc<App>>) -> Response {
    app.page(|app, current| app.render("summary", &view::summary(app, current)))
}

async fn chapter(
    State(app): State<Arc<App>>,
    UrlPath(number): UrlPath<String>,
    Query(query): Query<ChapterQuery>,
) -> Response {
    app.page(
        |app, current| match view::chapter(app, current, &number, query.filter.as_deref()) {
            Some(page) => app.render("chapter", &page),
            None => (StatusCode::NOT_FOUND, "404 Not Found\n").into_response(),
        },
    )
}

async fn facts(State(app): State<Arc<App>>) -> Response {
    app.page(|app, current| app.render("facts", &view::facts(app, current)))
}

async fn report_page(State(app): State<Arc<App>>) -> Response {
    app.page(
        |app, current| match app.report_as(&current.report, Format::Html) {
            Ok(html) => {
                let mut response = html_response(html);
                response.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(REPORT_CSP),
                );
                response
            }
            Err(e) => internal(&e.render(app.config.lang)),
        },
    )
}

impl App {
    fn report_as(&self, report: &Report, format: Format) -> Result<String, Error> {
        Renderer::new(&self.pack, None).render(report, format, false)
    }
}

/// The downloads: the assessment and the report in every format.
async fn download(State(app): State<Arc<App>>, UrlPath(name): UrlPath<String>) -> Response {
    if name == "assessment.json" {
        return match app.read() {
            Ok(bytes) => attachment(&name, "application/json", bytes),
            Err(e) => internal(&e.render(app.config.lang)),
        };
    }
    let (format, kind) = match name.as_str() {
        "report.json" => (Some(Format::Json), "application/json"),
        "report.txt" => (Some(Format::Text), "text/plain; charset=utf-8"),
        "report.md" => (Some(Format::Markdown), "text/markdown; charset=utf-8"),
        "report.html" => (Some(Format::Html), "text/html; charset=utf-8"),
        "report.xml" => (Some(Format::Junit), "application/xml"),
        "report.sarif" => (Some(Format::Sarif), "application/sarif+json"),
        "report.csv" => (Some(Format::Csv), "text/csv; charset=utf-8"),
        #[cfg(feature = "xlsx")]
        "report.xlsx" => (
            None,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response(),
    };
    let current = match app.current() {
        Ok(c) => c,
        Err(e) => return internal(&e.render(app.config.lang)),
    };
    let bytes = match format {
        Some(format) => app
            .report_as(&current.report, format)
            .map(String::into_bytes),
        #[cfg(feature = "xlsx")]
        None => crate::report::xlsx::report(&current.report),
        #[cfg(not(feature = "xlsx"))]
        None => Ok(Vec::new()),
    };
    match bytes {
        Ok(bytes) => attachment(&name, kind, bytes),
        Err(e) => internal(&e.render(app.config.lang)),
    }
}

fn attachment(name: &str, kind: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn asset(UrlPath(name): UrlPath<String>) -> Response {
    let kind = match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response(),
    };
    match Embedded::get(&format!("assets/{name}")) {
        Some(file) => ([(header::CONTENT_TYPE, kind)], file.data.into_owned()).into_response(),
        None => (StatusCode::NOT_FOUND, "404 Not Found\n").into_response(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Changes.

/// What a page sends with a change: the version it loaded and its form's fields.
#[derive(Deserialize)]
pub struct Change {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub fields: Fields,
}

/// Why a change was not written.
enum Refusal {
    /// The file changed since the page loaded it (409).
    Conflict,
    /// The input does not validate (422), each problem at its input.
    Invalid(Vec<FieldError>),
    /// The file could not be read or written (500).
    Failed(Error),
}

impl App {
    /// Applies `change` to the file if it is still at `version`, validates the result and writes it atomically.
    /// Returns the new version and the evaluation of the new content.
    fn save(
        &self,
        version: &str,
        change: impl FnOnce(&mut Json) -> Result<(), Vec<FieldError>>,
    ) -> Result<Current, Refusal> {
        let _guard = self
            .write
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bytes = match std::fs::read(self.path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Refusal::Conflict),
            Err(e) => return Err(Refusal::Failed(Error::io(self.path(), msg!("io.read"), e))),
        };
        if !same_secret(&version_of(&bytes), version) {
            return Err(Refusal::Conflict);
        }
        let mut doc: Json = crate::model::json::parse_strict(&String::from_utf8_lossy(&bytes))
            .map_err(|_| Refusal::Conflict)?;
        change(&mut doc).map_err(Refusal::Invalid)?;
        let new = pretty(&doc);
        let assessment = match self.parse(new.as_bytes()) {
            Ok(a) => a,
            Err(Error::Invalid(diagnostics)) => {
                return Err(Refusal::Invalid(
                    diagnostics
                        .iter()
                        .map(|d| {
                            let (field, row) = edit::field_of(d);
                            FieldError {
                                field,
                                row,
                                message: d.message.render(self.config.lang),
                            }
                        })
                        .collect(),
                ));
            }
            Err(e) => return Err(Refusal::Failed(e)),
        };
        if new.as_bytes() != bytes {
            crate::fs::write_atomic(self.path(), new.as_bytes()).map_err(Refusal::Failed)?;
        }
        let report = self.evaluate(assessment.clone()).map_err(Refusal::Failed)?;
        Ok(Current {
            version: version_of(new.as_bytes()),
            report,
            assessment,
        })
    }

    fn refused(&self, refusal: Refusal) -> Response {
        let lang = self.config.lang;
        match refusal {
            Refusal::Conflict => (
                StatusCode::CONFLICT,
                axum::Json(json!({
                    "error": "conflict",
                    "message": msg!("serve.conflict", file = self.display()).render(lang),
                })),
            )
                .into_response(),
            Refusal::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({
                    "error": "invalid",
                    "message": msg!("serve.invalid").render(lang),
                    "errors": errors,
                })),
            )
                .into_response(),
            Refusal::Failed(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"error": "failed", "message": e.render(lang)})),
            )
                .into_response(),
        }
    }

    fn saved(&self, current: &Current, requirement: Option<&str>) -> Response {
        axum::Json(view::saved(self, current, requirement)).into_response()
    }
}

/// Pretty JSON with a final newline, as `snc init` writes it.
fn pretty(value: &Json) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

async fn save_answer(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    axum::Json(change): axum::Json<Change>,
) -> Response {
    let known = id
        .parse::<crate::model::RequirementId>()
        .ok()
        .and_then(|parsed| app.pack.requirement(&parsed))
        .is_some();
    if !known {
        return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response();
    }
    let lang = app.config.lang;
    match app.save(&change.version, |doc| {
        edit::apply_answer(doc, &id, &change.fields, lang)
    }) {
        Ok(current) => app.saved(&current, Some(&id)),
        Err(refusal) => app.refused(refusal),
    }
}

async fn save_facts(
    State(app): State<Arc<App>>,
    axum::Json(change): axum::Json<Change>,
) -> Response {
    let lang = app.config.lang;
    let pack = Arc::clone(&app.pack);
    match app.save(&change.version, |doc| {
        edit::apply_facts(doc, &pack, &change.fields, lang)
    }) {
        Ok(current) => app.saved(&current, None),
        Err(refusal) => app.refused(refusal),
    }
}

/// Creates the assessment from the first page's answers, as `snc init` does.
async fn init(State(app): State<Arc<App>>, axum::Json(change): axum::Json<Change>) -> Response {
    let lang = app.config.lang;
    let values = |name: &str| -> Vec<&str> {
        change
            .fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    // `saas` or `SaaS`, as on the command line or in the file.
    let service_type = |v: &str| {
        ServiceType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(v))
    };
    let mut types: Vec<ServiceType> = values("service_type")
        .into_iter()
        .filter_map(service_type)
        .collect();
    let mut layers: Vec<ServiceType> = values("built_on")
        .into_iter()
        .filter_map(service_type)
        .filter(|l| *l != ServiceType::SaaS)
        .collect();
    for list in [&mut types, &mut layers] {
        list.sort_by_key(|t| ServiceType::ALL.iter().position(|a| a == t));
        list.dedup();
    }
    if types.is_empty() {
        return app.refused(Refusal::Invalid(vec![FieldError {
            field: "service_type".to_owned(),
            row: None,
            message: msg!("serve.service_type_required").render(lang),
        }]));
    }
    let text = |name: &str| values(name).first().map_or("", |v| v.trim()).to_owned();
    let _guard = app
        .write
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if app.path().exists() {
        return app.refused(Refusal::Conflict);
    }
    let skeleton = crate::assessment::skeleton::skeleton(
        &app.pack,
        &types,
        &layers,
        &text("vendor"),
        &text("service"),
        lang,
    );
    match crate::fs::write_atomic(app.path(), pretty(&skeleton).as_bytes()) {
        Ok(()) => axum::Json(json!({"created": true})).into_response(),
        Err(e) => app.refused(Refusal::Failed(e)),
    }
}

#[derive(Deserialize)]
struct AttachQuery {
    name: String,
    version: String,
}

/// A file name safe to create in `evidence/`: its last component, letters, digits, `.`, `-` and `_` only.
fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned.chars().take(120).collect()
    }
}

/// Copies the request's body into `evidence/` beside the assessment and adds an evidence row naming it, with its
/// SHA-256.
async fn attach(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<AttachQuery>,
    body: Bytes,
) -> Response {
    let known = id
        .parse::<crate::model::RequirementId>()
        .ok()
        .and_then(|parsed| app.pack.requirement(&parsed))
        .is_some();
    if !known {
        return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response();
    }
    let folder = app
        .path()
        .parent()
        .map_or_else(|| PathBuf::from("evidence"), |p| p.join("evidence"));
    let digest = format!("{:x}", Sha256::digest(&body));
    let name = safe_file_name(&query.name);
    // An existing file of the same name and other content is kept: the new one gets a numbered name.
    let (stem, extension) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    let mut file_name = name.clone();
    for n in 2.. {
        match std::fs::read(folder.join(&file_name)) {
            Ok(existing) if format!("{:x}", Sha256::digest(&existing)) != digest => {
                file_name = format!("{stem}-{n}{extension}");
            }
            _ => break,
        }
    }
    let target = folder.join(&file_name);
    let as_of = app.config.as_of;
    let entry = json!({
        "title": file_name,
        "ref": format!("evidence/{file_name}"),
        "date": as_of.to_string(),
        "sha256": digest,
    });
    let result = app.save(&query.version, |doc| {
        if let Err(e) = std::fs::create_dir_all(&folder) {
            return Err(vec![FieldError {
                field: "evidence.ref".to_owned(),
                row: None,
                message: Error::io(&folder, msg!("io.write"), e).render(app.config.lang),
            }]);
        }
        if !target.exists()
            && let Err(e) = crate::fs::write_atomic(&target, &body)
        {
            return Err(vec![FieldError {
                field: "evidence.ref".to_owned(),
                row: None,
                message: e.render(app.config.lang),
            }]);
        }
        edit::add_evidence(doc, &id, entry);
        Ok(())
    });
    match result {
        Ok(current) => app.saved(&current, Some(&id)),
        Err(refusal) => app.refused(refusal),
    }
}
