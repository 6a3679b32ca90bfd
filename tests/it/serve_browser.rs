//! `snc serve` end to end in a real browser: Debian's headless Chromium driven over `WebDriver` (`chromedriver`, from
//! the `chromium-driver` package that `.ci/run` installs). The test fills a fact and answers a requirement with the
//! keyboard and the mouse, reloads, and checks the file on disk and the live readiness; then stops the server, types,
//! sees the page say the input is not saved, restarts the server and finds the input saved from the browser.

use std::io::{BufRead as _, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::{Value as Json, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills a process this test started when the test ends, whatever happens.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Polls `ready` every 100 ms for up to 15 s.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn read_json(path: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(path).expect("assessment")).expect("JSON")
}

/// Starts `snc serve` on the assessment and `port` and returns it with the URL it printed first.
fn serve(assessment: &Path, port: u16) -> (Started, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_snc"))
        .arg("serve")
        .arg(assessment)
        .arg("--no-open")
        .arg(format!("--port={port}"))
        .env("SOURCE_DATE_EPOCH", "1795824000") // 2026-11-28
        .env("LANG", "C.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("snc serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the URL line");
    (Started(child), line.trim().to_owned())
}

fn readiness_of(path: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_snc"))
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
    report["readiness"].as_str().expect("readiness").to_owned()
}

async fn value(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

#[test]
fn facts_and_answers_typed_in_chromium_reach_the_file_and_input_typed_while_the_server_is_down_is_saved_after_restart()
 {
    if !Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium-driver (see .ci/run)"
        );
        #[expect(clippy::print_stderr, reason = "a skipped test says why")]
        {
            eprintln!(
                "skipped: no chromedriver on this machine (apt-get install -y chromium-driver)"
            );
        }
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("assessment.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/saas-on-qualified-iaas.json"),
        &path,
    )
    .expect("copy example");
    let port = free_port();
    let (server, url) = serve(&path, port);
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/?token="),
        "first line: {url}"
    );
    let base = url.split("/?").next().expect("base").to_owned();

    let driver_port = free_port();
    let _driver = Started(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_until("chromedriver", || {
        TcpStream::connect(("127.0.0.1", driver_port)).is_ok()
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--no-first-run", "--disable-background-networking",
                            format!("--user-data-dir={}", dir.path().join("profile").display())]}),
        );
        let client = ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");

        // The printed URL sets the cookie and lands on the summary, without the token.
        client.goto(&url).await.expect("open the URL");
        let landed = client.current_url().await.expect("url");
        assert_eq!(landed.as_str(), format!("{base}/"));

        // Facts: type a number, then choose a country with the mouse.
        client.goto(&format!("{base}/facts")).await.expect("facts");
        let days = client
            .find(Locator::Css("[name='facts.logging.retention_days']"))
            .await
            .expect("retention input");
        days.click().await.expect("click");
        days.clear().await.expect("clear");
        days.send_keys("400").await.expect("type");
        days.send_keys(&Key::Tab.to_string())
            .await
            .expect("tab");
        wait_until("the fact on disk", || {
            read_json(&path)["facts"]["logging"]["retention_days"] == json!(400)
        });

        // An answer: the status with the mouse, the owner with the keyboard.
        client
            .goto(&format!("{base}/chapter/5"))
            .await
            .expect("chapter 5");
        let form = client
            .find(Locator::Css("form[data-requirement='5.1.a']"))
            .await
            .expect("form of 5.1.a");
        let status = form
            .find(Locator::Css("select[name=status]"))
            .await
            .expect("status");
        status.click().await.expect("open the select");
        status
            .select_by_value("non_compliant")
            .await
            .expect("choose");
        let owner = form
            .find(Locator::Css("input[name=owner]"))
            .await
            .expect("owner");
        owner.click().await.expect("click");
        owner.clear().await.expect("clear");
        owner.send_keys("Alice Martin").await.expect("type");
        owner
            .send_keys(&Key::Tab.to_string())
            .await
            .expect("tab");
        wait_until("the answer on disk", || {
            let written = read_json(&path);
            written["answers"]["5.1.a"]["status"] == "non_compliant"
                && written["answers"]["5.1.a"]["owner"] == "Alice Martin"
        });
        // The live verdict follows the answer.
        let start = Instant::now();
        loop {
            let verdict = form
                .find(Locator::Css("[data-verdict-for] .verdict"))
                .await
                .expect("verdict")
                .attr("class")
                .await
                .expect("class")
                .unwrap_or_default();
            if verdict.contains("verdict-non_compliant") {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "verdict: {verdict}");
            std::thread::sleep(Duration::from_millis(100));
        }

        // After a reload, the page shows what the file holds, and the live readiness is the one `snc check` finds.
        client.refresh().await.expect("reload");
        assert_eq!(
            value(&client, "form[data-requirement='5.1.a'] select[name=status]").await,
            "non_compliant"
        );
        assert_eq!(
            value(&client, "form[data-requirement='5.1.a'] input[name=owner]").await,
            "Alice Martin"
        );
        let readiness = client
            .find(Locator::Css("[data-readiness]"))
            .await
            .expect("readiness")
            .attr("data-readiness")
            .await
            .expect("attr")
            .unwrap_or_default();
        assert_eq!(readiness, readiness_of(&path));
        let score = client
            .find(Locator::Css("[data-score]"))
            .await
            .expect("score")
            .text()
            .await
            .expect("text");
        assert!(score.ends_with('%'), "score: {score}");
        let errors: Json = client
            .execute("return document.querySelectorAll('.field-error').length;", vec![])
            .await
            .expect("script");
        assert_eq!(errors, json!(0));

        // The server stops; what is typed then is not saved, the page says so, and the input is kept in the
        // browser: once the server is back (same port, a new token), the page restores it and saves it.
        drop(server);
        let comment = client
            .find(Locator::Css("form[data-requirement='5.1.a'] textarea[name=comment]"))
            .await
            .expect("comment");
        comment.click().await.expect("click");
        comment.send_keys("typed while the server was down").await.expect("type");
        comment
            .send_keys(&Key::Tab.to_string())
            .await
            .expect("tab");
        let start = Instant::now();
        loop {
            let shown = client
                .find(Locator::Css("[data-save-status]"))
                .await
                .expect("status")
                .text()
                .await
                .expect("text");
            if shown.contains("NOT SAVED") {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "status: {shown}");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(read_json(&path)["answers"]["5.1.a"].get("comment").is_none());
        let (_server, url) = serve(&path, port);
        client.goto(&url).await.expect("the new URL");
        client
            .goto(&format!("{base}/chapter/5"))
            .await
            .expect("chapter 5 again");
        wait_until("the kept input saved after the restart", || {
            read_json(&path)["answers"]["5.1.a"]["comment"] == "typed while the server was down"
        });
        client.close().await.expect("close");
    });
    snc::assessment::load(
        &path,
        &snc::pack::Pack::load(&snc::pack::PackSource::Embedded).expect("pack"),
    )
    .expect("the file still validates");
}
