//! Debian's chromium, headless, driven through Debian's chromium-driver (WebDriver, with the
//! fantoccini client): each test gets its own chromedriver on a free port and its own browser
//! session, closed on drop. Screenshots go to `target/ui-screenshots/<name>.png`, for a person
//! to look at. Also used by `benches/ui.rs` (so it depends on nothing else in the harness).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Debian's chromium binary (the `/usr/bin/chromium` wrapper's target) and its WebDriver.
pub const CHROMIUM: &str = "/usr/lib/chromium/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless browser with one session.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
}

/// Where screenshots are saved.
// A test reads cargo's environment directly (the library's rule is config::process_env).
#[allow(clippy::disallowed_methods)]
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("ui-screenshots")
}

impl Browser {
    /// A desktop-sized window (1280 x 900) in the light scheme.
    pub fn start() -> Browser {
        Browser::with(1280, 900, false)
    }

    /// A window of `width` x `height`; `dark` asks pages for the dark colour scheme.
    pub fn with(width: u32, height: u32, dark: bool) -> Browser {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: install Debian's chromium and chromium-driver (.ci/run does)"
            );
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (driver, port) = start_driver();
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            format!("--window-size={width},{height}"),
        ];
        if dark {
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        let mut options = json!({"binary": CHROMIUM, "args": args});
        if width < 500 {
            // Headless windows are at least 500 px wide: a phone's width needs its emulation.
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}});
        }
        let caps = json!({
            "goog:chromeOptions": options,
            "unhandledPromptBehavior": "ignore",
        });
        let caps = caps.as_object().expect("object").clone();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = rt
            .block_on(async {
                let mut b = ClientBuilder::new(connector);
                b.capabilities(caps);
                b.connect(&format!("http://127.0.0.1:{port}")).await
            })
            .expect("a chromium session through chromedriver");
        Browser {
            rt,
            client: Some(client),
            driver,
        }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("open session")
    }

    pub fn goto(&self, url: &str) {
        self.rt
            .block_on(self.c().goto(url))
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    pub fn back(&self) {
        self.rt.block_on(self.c().back()).expect("back");
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.rt
            .block_on(self.c().execute(script, args))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns something truthy (returned), failing after `timeout`
    /// with what `describe` (a script) says about the page.
    pub fn wait_until(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.js(script, vec![]);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!(0) && v != json!("");
            if truthy {
                return v;
            }
            if Instant::now() >= deadline {
                let page = self.js("return document.body.innerText", vec![]);
                panic!("timed out waiting for {what}; the page shows:\n{page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the UI has rendered `view` (`<html data-rendered>`) at least `after`+1 times.
    pub fn wait_render(&self, view: &str, after: u64) {
        let script = format!(
            "const d = document.documentElement.dataset; return d.rendered === {view:?} && Number(d.renders) > {after};"
        );
        self.wait_until(
            &format!("the {view} view"),
            &script,
            Duration::from_secs(15),
        );
    }

    /// How many times the UI has rendered a view so far.
    pub fn renders(&self) -> u64 {
        self.js(
            "return Number(document.documentElement.dataset.renders || 0)",
            vec![],
        )
        .as_u64()
        .unwrap_or(0)
    }

    /// The first element matching `css` (panics when there is none).
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.c()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// The text of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        self.rt
            .block_on(async { self.element(css).await.text().await.expect("text") })
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.rt
            .block_on(self.c().find_all(Locator::Css(css)))
            .map(|v| v.len())
            .unwrap_or(0)
    }

    pub fn click(&self, css: &str) {
        self.rt.block_on(async {
            let e = self
                .c()
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no element {css}: {e}"));
            e.click()
                .await
                .unwrap_or_else(|e| panic!("click {css}: {e}"));
        })
    }

    /// Clears the field matching `css` and types `text` into it, as a user would.
    pub fn type_into(&self, css: &str, text: &str) {
        self.rt.block_on(async {
            let e = self.element(css).await;
            e.clear().await.expect("clear");
            e.send_keys(text).await.expect("type");
        })
    }

    /// Focuses the element matching `css` and presses Enter on it, as a keyboard user would.
    pub fn press_enter(&self, css: &str) {
        self.rt.block_on(async {
            let e = self.element(css).await;
            e.send_keys("\u{E007}").await.expect("Enter");
        })
    }

    /// Accepts the open `confirm()` dialog, returning its text.
    pub fn accept_dialog(&self) -> String {
        self.rt.block_on(async {
            let text = self.c().get_alert_text().await.expect("an open dialog");
            self.c().accept_alert().await.expect("accept");
            text
        })
    }

    /// Whether a JavaScript dialog (alert, confirm) is open.
    pub fn dialog_open(&self) -> bool {
        self.rt.block_on(self.c().get_alert_text()).is_ok()
    }

    /// Saves a screenshot as `target/ui-screenshots/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.rt.block_on(self.c().screenshot()).expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts chromedriver on a free port and waits until it accepts connections.
fn start_driver() -> (Child, u16) {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (child, port);
            }
            if let Ok(Some(_)) = child.try_wait() {
                break; // the port was taken meanwhile: try another
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("chromedriver did not start");
}
