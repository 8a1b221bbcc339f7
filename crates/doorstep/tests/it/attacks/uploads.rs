//! Issue 14, points 2, 10a, 10b, 13 and 10e: decompression bombs, the document allowlist,
//! upload bodies read only after the session check, the global bound on upload buffering,
//! and CSRF tokens bound to the session with an Origin check on scheme, host and port.

use std::sync::Arc;
use std::time::{Duration, Instant};

use doorstep_testkit::{Backend, both_backends};
use reqwest::cookie::{CookieStore, Jar};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{PASSWORD, TestApp, csrf_of, html, multipart_body, seed_people, text_of};
use crate::requests::{browser, fill_to_photos, setup};

const BOUNDARY: &str = "----doorstepAttackBoundary";

/// A client whose cookies the test can read, reaching `acme.localhost`.
fn jar_client(app: &TestApp) -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .resolve("acme.localhost", app.addr)
        .build()
        .unwrap();
    (client, jar)
}

/// The `Cookie` header the client would send to acme.
fn cookies(app: &TestApp, jar: &Jar) -> String {
    let url = app.url("acme", "/").parse().unwrap();
    jar.cookies(&url)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Signs Dana in and chooses her household account.
async fn dana(
    app: &TestApp,
    household: doorstep_core::ids::CustomerId,
) -> (reqwest::Client, Arc<Jar>) {
    let (client, jar) = jar_client(app);
    let res = crate::helpers::sign_in(app, &client, "acme", "dana@example.test").await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .submit(
            &client,
            "acme",
            "/accounts",
            "/accounts",
            &[("customer", &household.0.to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    (client, jar)
}

/// Posts a multipart form to `path` with `fields` (the page's token first) and `files`.
async fn post_multipart(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file_field: &str,
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let token = csrf_of(client, &app.url("acme", path)).await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart_body(&all, file_field, files);
    let res = client
        .post(app.url("acme", path))
        .header("origin", app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Opens a raw connection and sends a multipart POST's head announcing `length` bytes,
/// then `start` of its body, and nothing more.
async fn start_upload(
    app: &TestApp,
    path: &str,
    cookie: &str,
    length: usize,
    start: &[u8],
) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: acme.localhost:{port}\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n",
        port = app.addr.port(),
        origin = app.origin("acme"),
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(start).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// The beginning of a multipart body: the token field, then the head of a file part and
/// 64 KiB of its bytes.
fn body_start(token: &str) -> Vec<u8> {
    let mut start = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    .into_bytes();
    start.resize(start.len() + 64 * 1024, b'x');
    start
}

/// The status line of the response on `stream`, or `None` if none came within `wait`.
async fn status_within(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(wait, read).await.ok()?;
    let text = String::from_utf8_lossy(&head).into_owned();
    text.lines()
        .next()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
}

/// A PNG of `width` x `height` 16-bit RGB pixels, all black, compressed about 160:1 with
/// fixed-Huffman deflate: a 12000 x 12000 one is about 5 MB and decodes to 864 MB.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, sent most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let reversed = (0..count).fold(0, |r, i| r | (((code >> i) & 1) << (count - 1 - i)));
            self.put(reversed, count);
        }
    }
    let raw = u64::from(height) * (1 + u64::from(width) * 6);
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    bits.code(0x30, 8); // literal 0
    let mut left = raw - 1;
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    let mut zlib = bits.out;
    let adler = (((raw % 65521) as u32) << 16) | 1; // every byte is zero
    zlib.extend_from_slice(&adler.to_be_bytes());

    fn crc32(data: &[&[u8]]) -> u32 {
        let table: Vec<u32> = (0..256u32)
            .map(|i| {
                (0..8).fold(i, |c, _| {
                    if c & 1 == 1 {
                        0xEDB8_8320 ^ (c >> 1)
                    } else {
                        c >> 1
                    }
                })
            })
            .collect();
        !data.iter().flat_map(|d| d.iter()).fold(!0u32, |c, &b| {
            table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
        })
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 2, 0, 0, 0]); // 16-bit RGB
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

both_backends! {
    async fn a_12000_by_12000_png_bomb_is_refused_with_a_message_before_it_is_decoded(backend: Backend) {
        let bomb = png_bomb(12_000, 12_000);
        assert!(bomb.len() < 10 * 1024 * 1024, "{} bytes", bomb.len());
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let base = fill_to_photos(&f, &dana, f.home, "Boiler leaks").await;
        let started = Instant::now();
        let (status, body) = post_multipart(&f.app, &dana, &format!("{base}/photos"), &[("action", "add")], "photos", &[("bomb.png", &bomb)]).await;
        let took = started.elapsed();
        assert_eq!(status, 422);
        let message = text_of(&html(&body), "#photos-error").unwrap();
        assert!(message.contains("bomb.png") && message.contains("too many pixels"), "{message}");
        assert!(took < Duration::from_secs(5), "answered in {took:?}");
        // The same bomb as a support attachment.
        let started = Instant::now();
        let (status, body) = post_multipart(&f.app, &dana, "/support/new", &[("subject", "Photo"), ("description", "See photo")], "files", &[("bomb.png", &bomb)]).await;
        let took = started.elapsed();
        assert_eq!(status, 422);
        let message = text_of(&html(&body), "#files-error").unwrap();
        assert!(message.contains("too many pixels"), "{message}");
        assert!(took < Duration::from_secs(5), "answered in {took:?}");
    }

    async fn html_svg_and_javascript_attachments_are_refused_with_a_message(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let (dana, _) = dana(&app, people.household).await;
        let attempts: &[(&str, &[u8])] = &[
            ("page.html", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
            ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>"),
            ("app.js", b"fetch('/sign-out/everywhere', {method: 'POST'});\n"),
            ("notes.txt", b"<html><script>alert(1)</script></html>"),
        ];
        for (name, bytes) in attempts {
            let (status, body) = post_multipart(&app, &dana, "/support/new", &[("subject", "Help"), ("description", "Please look")], "files", &[(name, bytes)]).await;
            assert_eq!(status, 422, "{name}");
            let message = text_of(&html(&body), "#files-error").unwrap();
            assert!(message.starts_with(&format!("{name}: ")) && message.contains("can't be attached"), "{name}: {message}");
        }
        // Plain text and a PDF are still taken.
        let (status, _) = post_multipart(&app, &dana, "/support/new", &[("subject", "Help"), ("description", "Please look")], "files", &[("reading.txt", b"Meter 4521\n"), ("w.pdf", b"%PDF-1.4\n%%EOF\n")]).await;
        assert_eq!(status, 303);
    }

    async fn an_anonymous_30_mb_upload_is_answered_before_its_body_is_read(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        // A visitor with a pre-session CSRF cookie and its token, as any page gives out.
        let (client, jar) = jar_client(&app);
        let token = csrf_of(&client, &app.url("acme", "/sign-in")).await;
        let cookie = cookies(&app, &jar);
        for path in ["/support/new", "/requests/new/abc/photos", "/office/support/S-1/reply"] {
            let mut stream = start_upload(&app, path, &cookie, 30 * 1024 * 1024, &body_start(&token)).await;
            let status = status_within(&mut stream, Duration::from_secs(10)).await;
            let status = status.unwrap_or_else(|| panic!("{path}: no answer while the body was still unsent"));
            assert!(status.starts_with("HTTP/1.1 303"), "{path}: {status}");
        }
    }

    async fn a_csrf_token_from_one_session_is_refused_in_another(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let (attacker, attacker_jar) = dana(&app, people.household).await;
        let (victim, victim_jar) = jar_client(&app);
        let res = crate::helpers::sign_in(&app, &victim, "acme", "sam@example.test").await;
        assert_eq!(res.status().as_u16(), 303);
        // The attacker's own token and CSRF cookie, planted beside the victim's session.
        let token = csrf_of(&attacker, &app.url("acme", "/support/new")).await;
        let attacker_cookies = cookies(&app, &attacker_jar);
        let victim_cookies = cookies(&app, &victim_jar);
        let session = victim_cookies.split("; ").find(|c| c.starts_with("doorstep=")).unwrap();
        let planted: Vec<&str> = attacker_cookies.split("; ").filter(|c| c.starts_with("doorstep-csrf=")).collect();
        let cookie = std::iter::once(session).chain(planted).collect::<Vec<_>>().join("; ");
        let res = reqwest::Client::builder().resolve("acme.localhost", app.addr).redirect(reqwest::redirect::Policy::none()).build().unwrap()
            .post(app.url("acme", "/sign-out/everywhere"))
            .header("origin", app.origin("acme"))
            .header("cookie", cookie)
            .form(&[("csrf_token", token.as_str())])
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "another session's token is refused");
        let status = victim.get(app.url("acme", "/jobs")).send().await.unwrap().status().as_u16();
        assert_eq!(status, 200, "the victim is still signed in");
    }

    async fn the_csrf_token_changes_at_sign_in_and_the_old_one_stops_working(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let (client, _) = jar_client(&app);
        let before = csrf_of(&client, &app.url("acme", "/sign-in")).await;
        let res = client.post(app.url("acme", "/sign-in")).header("origin", app.origin("acme"))
            .form(&[("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", before.as_str())])
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let after = csrf_of(&client, &app.url("acme", "/security")).await;
        assert_ne!(before, after, "a fresh token at sign-in");
        let res = client.post(app.url("acme", "/sign-out")).header("origin", app.origin("acme"))
            .form(&[("csrf_token", before.as_str())]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "the token from before sign-in no longer works");
        assert_eq!(client.get(app.url("acme", "/jobs")).send().await.unwrap().status().as_u16(), 200);
        let res = client.post(app.url("acme", "/sign-out")).header("origin", app.origin("acme"))
            .form(&[("csrf_token", after.as_str())]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "the session's own token works");
    }

    async fn an_origin_with_another_scheme_or_port_is_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let (client, _) = jar_client(&app);
        let token = csrf_of(&client, &app.url("acme", "/sign-in")).await;
        let port = app.addr.port();
        let other_port = if port == 1 { 2 } else { port - 1 };
        for origin in [
            format!("https://acme.localhost:{port}"),
            format!("http://acme.localhost:{other_port}"),
            "http://acme.localhost".to_owned(),
            format!("ftp://acme.localhost:{port}"),
        ] {
            let res = client.post(app.url("acme", "/sign-in")).header("origin", &origin)
                .form(&[("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", token.as_str())])
                .send().await.unwrap();
            assert_eq!(res.status().as_u16(), 403, "{origin}");
        }
        let referer = client.post(app.url("acme", "/sign-in")).header("referer", format!("https://acme.localhost:{port}/sign-in"))
            .form(&[("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", token.as_str())])
            .send().await.unwrap();
        assert_eq!(referer.status().as_u16(), 403, "a Referer of another scheme");
        assert!(app.store.recent_audit_actions(people.acme, 10).await.unwrap().is_empty(), "nobody signed in");
        let res = client.post(app.url("acme", "/sign-in")).header("origin", app.origin("acme"))
            .form(&[("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", token.as_str())])
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "this very origin still works");
    }

    async fn uploads_buffered_at_once_are_bounded_and_the_next_is_told_to_retry(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let (client, jar) = dana(&app, people.household).await;
        let token = csrf_of(&client, &app.url("acme", "/support/new")).await;
        let cookie = cookies(&app, &jar);
        // Uploads whose bodies stall after their first 64 KiB, each holding a slot.
        let mut stalled = Vec::new();
        for _ in 0..doorstep_web::uploads::UPLOAD_SLOTS {
            stalled.push(start_upload(&app, "/support/new", &cookie, 40 * 1024 * 1024, &body_start(&token)).await);
        }
        // The next upload waits for a slot, then is told to come back; bounded tries, since
        // a stalled one may not have taken its slot yet when the first is sent.
        let mut busy = None;
        for _ in 0..3 {
            let started = Instant::now();
            let (status, body) = post_multipart(&app, &client, "/support/new", &[("subject", "Help"), ("description", "Please")], "files", &[("a.txt", b"hello\n")]).await;
            if status == 503 {
                busy = Some((started.elapsed(), body));
                break;
            }
        }
        let (took, body) = busy.expect("an upload beyond the bound is refused while the slots are held");
        assert!(took < Duration::from_secs(15), "{took:?}");
        assert!(body.contains("try again"), "{body}");
        drop(stalled);
        // Slots come back when those connections go.
        let mut done = false;
        for _ in 0..20 {
            let (status, _) = post_multipart(&app, &client, "/support/new", &[("subject", "Help"), ("description", "Please")], "files", &[("a.txt", b"hello\n")]).await;
            if status == 303 {
                done = true;
                break;
            }
        }
        assert!(done, "uploads work again once the stalled ones are gone");
    }
}
