//! Two-factor sign-in: setup, the code step at sign-in, replay, recovery codes,
//! throttling, turning it off, and the company rule for staff.

use doorstep_core::status::StaffRole;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::auth::two_factor::code_at;
use time::Duration;

use crate::helpers::{PASSWORD, TestApp, html, seed_people, sign_in};

/// Starts setup on `page` and returns the secret shown to type in by hand.
async fn start_setup(app: &TestApp, client: &reqwest::Client, base: &str) -> String {
    let res = app
        .submit(
            client,
            "acme",
            base,
            &format!("{base}/two-factor/start"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = client.get(app.url("acme", base)).send().await.unwrap();
    let body = page.text().await.unwrap();
    assert!(body.contains("<svg"), "a QR code is shown");
    let doc = html(&body);
    let secret = crate::helpers::text_of(&doc, "[data-testid=totp-secret]").expect("secret");
    secret.replace(' ', "")
}

/// A code of the step `steps` away from now (setup used the current one).
fn code(secret: &str, steps: i64) -> String {
    code_at(
        secret,
        doorstep_store::now() + Duration::seconds(30 * steps),
    )
    .unwrap()
}

fn recovery_codes(body: &str) -> Vec<String> {
    let doc = html(body);
    let sel = scraper::Selector::parse("[data-testid=recovery-codes] code").unwrap();
    doc.select(&sel).map(|e| e.text().collect()).collect()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Sets up two-factor sign-in for the signed-in `client` and returns (secret, codes).
async fn turn_on(app: &TestApp, client: &reqwest::Client, base: &str) -> (String, Vec<String>) {
    let secret = start_setup(app, client, base).await;
    let wrong = app
        .submit(
            client,
            "acme",
            base,
            &format!("{base}/two-factor/confirm"),
            &[("code", "000000")],
        )
        .await;
    assert_eq!(
        wrong.status(),
        422,
        "a wrong first code does not turn it on"
    );
    let res = app
        .submit(
            client,
            "acme",
            base,
            &format!("{base}/two-factor/confirm"),
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Two-factor sign-in is on"), "{body}");
    let codes = recovery_codes(&body);
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

both_backends! {
    async fn a_contact_turns_on_two_factor_and_sign_in_then_asks_for_a_code(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let phone = app.client(&["acme"]);
        sign_in(&app, &phone, "acme", "sam@example.test").await;
        let laptop = app.client(&["acme"]);
        sign_in(&app, &laptop, "acme", "sam@example.test").await;

        let (secret, codes) = turn_on(&app, &laptop, "/security").await;
        // Sessions that signed in without the second factor end.
        let old = phone.get(app.url("acme", "/")).send().await.unwrap();
        assert!(old.text().await.unwrap().contains("Sign in</h1>"));
        // The codes are shown once: the page afterwards only counts them.
        let later = laptop.get(app.url("acme", "/security")).send().await.unwrap().text().await.unwrap();
        assert!(recovery_codes(&later).is_empty());
        assert!(later.contains("10 unused recovery codes left"));

        // Signing in now stops at the code page; the half-open session opens nothing.
        let browser = app.client(&["acme"]);
        let res = sign_in(&app, &browser, "acme", "sam@example.test").await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/sign-in/two-factor"));
        let pending_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        let home = browser.get(app.url("acme", "/security")).send().await.unwrap();
        assert_eq!((home.status().as_u16(), location(&home).as_str()), (303, "/sign-in/two-factor"));
        let page = browser.get(app.url("acme", "/sign-in/two-factor")).send().await.unwrap();
        assert_eq!(page.status(), 200);

        let wrong = app.submit(&browser, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", "123456")]).await;
        assert_eq!(wrong.status(), 422);
        assert!(wrong.text().await.unwrap().contains("That code isn"));

        // The code setup used is spent; the next step's code works once.
        let spent = app.submit(&browser, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &code(&secret, 0))]).await;
        assert_eq!(spent.status(), 422, "a code already used is refused");
        let next = code(&secret, 1);
        let ok = app.submit(&browser, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &next)]).await;
        assert_eq!((ok.status().as_u16(), location(&ok).as_str()), (303, "/"));
        let full_cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert_ne!(pending_cookie.split(';').next(), full_cookie.split(';').next(), "the session id rotates");
        assert_eq!(browser.get(app.url("acme", "/security")).send().await.unwrap().status(), 200);

        // The same code from another browser: replay refused.
        let thief = app.client(&["acme"]);
        sign_in(&app, &thief, "acme", "sam@example.test").await;
        let replay = app.submit(&thief, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &next)]).await;
        assert_eq!(replay.status(), 422);

        // A recovery code works once, typed loosely.
        let loose = codes[0].to_uppercase().replace('-', " ");
        let rec = app.submit(&thief, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &loose)]).await;
        assert_eq!((rec.status().as_u16(), location(&rec).as_str()), (303, "/"));
        let again = app.client(&["acme"]);
        sign_in(&app, &again, "acme", "sam@example.test").await;
        let reuse = app.submit(&again, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &codes[0])]).await;
        assert_eq!(reuse.status(), 422, "a recovery code is single use");
        let sec = browser.get(app.url("acme", "/security")).send().await.unwrap().text().await.unwrap();
        assert!(sec.contains("9 unused recovery codes left"), "{sec}");

        let events = app.store.recent_audit_actions(app.store.company_by_slug("acme").await.unwrap().unwrap().id, 100).await.unwrap();
        for action in ["two_factor.enabled", "sign_in.second_factor_required", "sign_in.second_factor_failed", "sign_in.second_factor_passed"] {
            assert!(events.iter().any(|e| e == action), "{action} audited: {events:?}");
        }
    }

    async fn wrong_codes_are_throttled_and_turning_off_needs_a_code(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let me = app.client(&["acme"]);
        sign_in(&app, &me, "acme", "sam@example.test").await;
        let (secret, _) = turn_on(&app, &me, "/security").await;

        let other = app.client(&["acme"]);
        sign_in(&app, &other, "acme", "sam@example.test").await;
        let mut last = 0;
        for _ in 0..7 {
            last = app.submit(&other, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", "111111")]).await.status().as_u16();
        }
        assert_eq!(last, 429, "repeated wrong codes slow down");
        let blocked = app.submit(&other, "acme", "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &code(&secret, 1))]).await;
        assert_eq!(blocked.status(), 429, "even a right code waits out the block");

        let no_code = app.submit(&me, "acme", "/security", "/security/two-factor/disable", &[("code", "")]).await;
        assert_eq!(no_code.status(), 422);
        // The throttle counts per person: wait it out as the store sees it, by clearing it.
        let mut tx = app.store.begin().await.unwrap();
        tx.clear_sign_in_failures(app.store.company_by_slug("acme").await.unwrap().unwrap().id, &format!("2fa:login:{}", people.sam.0)).await.unwrap();
        tx.commit().await.unwrap();
        let off = app.submit(&me, "acme", "/security", "/security/two-factor/disable", &[("code", &code(&secret, 1))]).await;
        assert_eq!(off.status(), 200);
        assert!(off.text().await.unwrap().contains("Two-factor sign-in is off"));
        let plain = app.client(&["acme"]);
        let res = sign_in(&app, &plain, "acme", "sam@example.test").await;
        assert_eq!(location(&res), "/", "no code asked any more");
    }

    async fn a_company_can_require_staff_to_use_a_second_factor(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.create_staff(people.acme, "dispatch@acme.test", "Oscar", StaffRole::Office, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let staff_sign_in = |email: &'static str| {
            let app = &app;
            async move {
                let c = app.client(&["acme"]);
                let res = app.submit(&c, "acme", "/office", "/office/sign-in", &[("email", email), ("password", PASSWORD)]).await;
                (c, location(&res))
            }
        };
        let (admin, _) = staff_sign_in("office@acme.test").await;
        let refused = app.submit(&admin, "acme", "/office/security", "/office/security/policy", &[("require", "on")]).await;
        assert_eq!(refused.status(), 422, "an admin without a second factor cannot require one");
        let (secret, _) = turn_on(&app, &admin, "/office/security").await;
        let saved = app.submit(&admin, "acme", "/office/security", "/office/security/policy", &[("require", "on")]).await;
        assert_eq!(saved.status(), 200);

        // Office staff are confined to setting it up.
        let (oscar, _) = staff_sign_in("dispatch@acme.test").await;
        let res = oscar.get(app.url("acme", "/office/customers")).send().await.unwrap();
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/security"));
        // The policy is an administrators' page, not part of the setup: it too sends him
        // to set up his factor first (the router's rule, not a path prefix).
        let policy = app.submit(&oscar, "acme", "/office/security", "/office/security/policy", &[]).await;
        assert_eq!((policy.status().as_u16(), location(&policy).as_str()), (303, "/office/security"));
        turn_on(&app, &oscar, "/office/security").await;
        assert_eq!(oscar.get(app.url("acme", "/office/customers")).send().await.unwrap().status(), 200);
        let policy = app.submit(&oscar, "acme", "/office/security", "/office/security/policy", &[]).await;
        assert_eq!(policy.status(), 404, "only administrators set the rule");
        let keep = app.submit(&oscar, "acme", "/office/security", "/office/security/two-factor/disable", &[("code", "000000")]).await;
        assert_eq!(keep.status(), 422);

        // The admin's next sign-in asks for the code at /office/two-factor.
        let (again, to) = staff_sign_in("office@acme.test").await;
        assert_eq!(to, "/office/two-factor");
        let ok = app.submit(&again, "acme", "/office/two-factor", "/office/two-factor", &[("code", &code(&secret, 1))]).await;
        assert_eq!(location(&ok), "/office");
        // A staff member's half-open session is not a portal session either.
        assert_eq!(location(&again.get(app.url("acme", "/office/customers")).send().await.unwrap()), "");
    }
}
