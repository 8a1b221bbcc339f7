//! Emailed links, new passwords, TOTP secrets at rest and the greeting of link emails
//! (issue 14, points 6, 10c, 10j and 10k).

use doorstep_core::status::ContactRole;
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::auth::two_factor::code_at;

use crate::helpers::office;
use crate::helpers::{PASSWORD, People, TestApp, csrf_of, html, seed_people, sign_in, text_of};

/// The link of the newest queued email of `kind`, as a path on Acme's portal.
async fn newest_link(app: &TestApp, people: &People, kind: &str) -> String {
    let outbox = app.store.outbox_page(people.acme, None, 50).await.unwrap();
    let mail = outbox
        .iter()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} email queued"));
    let link = mail
        .body_text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {}", mail.body_text));
    link.trim_start_matches(&app.origin("acme")).to_owned()
}

/// The text of the newest queued email of `kind` to `to`.
async fn newest_body(app: &TestApp, people: &People, kind: &str, to: &str) -> String {
    let outbox = app.store.outbox_page(people.acme, None, 50).await.unwrap();
    outbox
        .iter()
        .find(|m| m.kind == kind && m.to_address == to)
        .unwrap_or_else(|| panic!("no {kind} email to {to}"))
        .body_text
        .clone()
}

async fn ask(app: &TestApp, form: &str, email: &str) {
    let client = app.client(&["acme"]);
    let res = app
        .submit(&client, "acme", form, form, &[("email", email)])
        .await;
    assert_eq!(res.status(), 200, "{form}");
}

/// Whether the link at `path` still opens (200) or is gone (410).
async fn opens(app: &TestApp, path: &str) -> u16 {
    let res = app
        .client(&["acme"])
        .get(app.url("acme", path))
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

/// Posts to a link the way its own form would, for a link whose page no longer shows
/// the form: the CSRF token comes from the sign-in page of the same browser.
async fn post_link(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> u16 {
    let client = app.client(&["acme"]);
    let token = csrf_of(&client, &app.url("acme", "/sign-in")).await;
    let mut form = fields.to_vec();
    form.push(("csrf_token", &token));
    let res = client
        .post(app.url("acme", path))
        .header("origin", app.origin("acme"))
        .form(&form)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

async fn set_password(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    password: &str,
) -> reqwest::Response {
    app.submit(
        client,
        "acme",
        path,
        path,
        &[("password", password), ("confirm", password)],
    )
    .await
}

async fn signs_in_with(app: &TestApp, email: &str, password: &str) -> u16 {
    let client = app.client(&["acme"]);
    let res = app
        .submit(
            &client,
            "acme",
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await;
    res.status().as_u16()
}

/// A household contact without portal access yet.
async fn add_contact(app: &TestApp, people: &People, first: &str, email: &str) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    let id = tx
        .insert_contact(
            people.acme,
            &NewContact {
                customer: people.household,
                login: None,
                first_name: first.into(),
                last_name: "Whitaker".into(),
                email: Some(email.into()),
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: false,
                is_billing: false,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.0
}

async fn press(app: &TestApp, staff: &reqwest::Client, contact: i64, action: &str) {
    let res = app
        .submit(
            staff,
            "acme",
            "/office/customers/C-1",
            &format!("/office/contacts/{contact}/access"),
            &[("action", action)],
        )
        .await;
    assert_eq!(res.status(), 303, "{action}");
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("done="), "{action}: {to}");
}

/// Posts a form on another running instance the way a browser would.
async fn submit_at(
    client: &reqwest::Client,
    origin: &str,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf_of(client, &format!("{origin}{page}")).await;
    let mut form = fields.to_vec();
    form.push(("csrf_token", &token));
    client
        .post(format!("{origin}{action}"))
        .header("origin", origin)
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[test]
fn a_malformed_secret_key_stops_the_start_with_one_clear_line() {
    for bad in ["not hex at all", "abcd", &"0".repeat(66)] {
        let out = crate::cli::doorstep_with_env(&["migrate"], &[("DOORSTEP_SECRET_KEY", bad)]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: invalid DOORSTEP_SECRET_KEY: "),
            "{err}"
        );
        assert!(!err.contains(bad), "the key is not echoed: {err}");
    }
}

both_backends! {
    async fn an_older_reset_link_dies_when_a_newer_one_is_issued_and_after_the_reset(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        ask(&app, "/forgot-password", "sam@example.test").await;
        let first = newest_link(&app, &people, "password_reset").await;
        ask(&app, "/forgot-password", "sam@example.test").await;
        let second = newest_link(&app, &people, "password_reset").await;
        assert_ne!(first, second);
        assert_eq!(opens(&app, &first).await, 410, "issuing a reset link revokes the older one");

        let sam = app.client(&["acme"]);
        assert_eq!(set_password(&app, &sam, &second, "sam's brand new password").await.status(), 303);
        assert_eq!(
            post_link(&app, &first, &[("password", "an intruder's password"), ("confirm", "an intruder's password")]).await,
            410,
            "an old reset link cannot set a password after the reset"
        );
        assert_eq!(signs_in_with(&app, "sam@example.test", "an intruder's password").await, 422);
        assert_eq!(signs_in_with(&app, "sam@example.test", "sam's brand new password").await, 303);
    }

    async fn using_a_sign_in_link_revokes_every_other_outstanding_link_of_the_login(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        ask(&app, "/sign-in/link", "sam@example.test").await;
        let first = newest_link(&app, &people, "sign_in_link").await;
        ask(&app, "/forgot-password", "sam@example.test").await;
        let reset = newest_link(&app, &people, "password_reset").await;
        ask(&app, "/sign-in/link", "sam@example.test").await;
        let second = newest_link(&app, &people, "sign_in_link").await;
        assert_ne!(first, second);

        let sam = app.client(&["acme"]);
        let used = app.submit(&sam, "acme", &second, &second, &[]).await;
        assert_eq!(used.status(), 303, "the newest sign-in link signs in");
        assert_eq!(post_link(&app, &first, &[]).await, 410, "the other sign-in link is revoked");
        assert_eq!(opens(&app, &reset).await, 410, "so is the outstanding reset link");
        assert_eq!(
            post_link(&app, &reset, &[("password", "an intruder's password"), ("confirm", "an intruder's password")]).await,
            410
        );
        assert_eq!(signs_in_with(&app, "sam@example.test", PASSWORD).await, 303, "the password is unchanged");
    }

    async fn an_invitation_dies_when_the_office_resends_it_and_once_a_password_is_set(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let nina = add_contact(&app, &people, "Nina", "nina@example.test").await;
        let staff = office(&app).await;
        press(&app, &staff, nina, "enable").await;
        let first = newest_link(&app, &people, "invitation").await;
        press(&app, &staff, nina, "invite").await;
        let second = newest_link(&app, &people, "invitation").await;
        assert_ne!(first, second);
        assert_eq!(opens(&app, &first).await, 410, "a resent invitation revokes the older one");

        // Nina sets her password through a reset link instead; the invitation must die.
        ask(&app, "/forgot-password", "nina@example.test").await;
        let reset = newest_link(&app, &people, "password_reset").await;
        let browser = app.client(&["acme"]);
        assert_eq!(set_password(&app, &browser, &reset, "nina's own password").await.status(), 303);
        assert_eq!(opens(&app, &second).await, 410);
        assert_eq!(
            post_link(&app, &second, &[("password", "an intruder's password"), ("confirm", "an intruder's password")]).await,
            410,
            "an old invitation cannot set a new password and sign in"
        );
        assert_eq!(signs_in_with(&app, "nina@example.test", "nina's own password").await, 303);
    }

    async fn a_password_cleared_by_the_office_revokes_outstanding_sign_in_links(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        ask(&app, "/sign-in/link", "dana@example.test").await;
        let link = newest_link(&app, &people, "sign_in_link").await;
        let household = app.store.contacts_of_customer(people.acme, people.household).await.unwrap();
        let dana = household.iter().find(|c| c.first_name == "Dana").unwrap().id;
        let staff = office(&app).await;
        press(&app, &staff, dana, "reset").await;
        assert_eq!(post_link(&app, &link, &[]).await, 410, "the sign-in link died with the password");
    }

    async fn weak_passwords_are_refused_next_to_the_field_on_reset_and_invitation(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        ask(&app, "/forgot-password", "sam@example.test").await;
        let reset = newest_link(&app, &people, "password_reset").await;
        let nina = add_contact(&app, &people, "Nina", "nina@example.test").await;
        let staff = office(&app).await;
        press(&app, &staff, nina, "enable").await;
        let invite = newest_link(&app, &people, "invitation").await;
        let browser = app.client(&["acme"]);
        for link in [&reset, &invite] {
            for weak in ["aaaaaaaaaaaa", "passwordpassword", "iloveyou2024", "Sunshine!!!!"] {
                let res = set_password(&app, &browser, link, weak).await;
                assert_eq!(res.status(), 422, "{weak} on {link}");
                let doc = html(&res.text().await.unwrap());
                let msg = text_of(&doc, "#password-error").unwrap_or_default();
                assert!(!msg.is_empty(), "a message next to the field for {weak}");
            }
            assert_eq!(opens(&app, link).await, 200, "a refused password leaves the link usable");
        }
        assert_eq!(set_password(&app, &browser, &reset, "pipes and valves 64").await.status(), 303);
    }

    async fn a_totp_secret_is_encrypted_at_rest_and_still_works_after_a_restart(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        let start = app.submit(&sam, "acme", "/security", "/security/two-factor/start", &[]).await;
        assert_eq!(start.status(), 303);
        let page = html(&sam.get(app.url("acme", "/security")).send().await.unwrap().text().await.unwrap());
        let secret = text_of(&page, "[data-testid=totp-secret]").unwrap().replace(' ', "");
        let now = doorstep_store::now();
        let code = code_at(&secret, now).unwrap();
        let on = app.submit(&sam, "acme", "/security", "/security/two-factor/confirm", &[("code", &code)]).await;
        assert_eq!(on.status(), 200);

        let stored: Option<String> = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
            "SELECT totp_secret FROM portal_logins WHERE company_id = $1 AND id = $2")
            .bind(people.acme.0).bind(people.sam.0).fetch_one(p).await).unwrap();
        let stored = stored.expect("a secret is stored");
        assert!(!stored.to_uppercase().contains(&secret), "the database holds the secret in the clear: {stored}");

        // The same database and data directory (so the same key), a new process.
        let settings = crate::helpers::test_settings(&app.db.url, app.data_dir());
        let again = doorstep::app::App::build(&settings).await.expect("restarts");
        let origin = format!("http://acme.localhost:{}", again.addr().port());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .resolve("acme.localhost", again.addr())
            .build()
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(again.run_until(async move {
            let _ = stopped.await;
        }));
        let first = submit_at(&client, &origin, "/sign-in", "/sign-in", &[("email", "sam@example.test"), ("password", PASSWORD)]).await;
        assert_eq!(first.status(), 303);
        assert_eq!(first.headers()["location"], "/sign-in/two-factor");
        let next = code_at(&secret, now + time::Duration::seconds(30)).unwrap();
        let second = submit_at(&client, &origin, "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &next)]).await;
        assert_eq!(second.status(), 303, "the code of the app still works after the restart");
        assert_eq!(second.headers()["location"], "/");
        let _ = stop.send(());
    }

    async fn link_emails_to_a_contact_without_a_first_name_do_not_say_hello_comma(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let nameless = add_contact(&app, &people, "", "nameless@example.test").await;
        let staff = office(&app).await;
        press(&app, &staff, nameless, "enable").await;
        ask(&app, "/forgot-password", "nameless@example.test").await;
        ask(&app, "/sign-in/link", "nameless@example.test").await;
        for kind in ["password_reset", "sign_in_link"] {
            let body = newest_body(&app, &people, kind, "nameless@example.test").await;
            assert!(!body.contains("Hello ,"), "{kind}: {body}");
            assert!(body.starts_with("Hello,\n"), "{kind}: {body}");
        }
        ask(&app, "/forgot-password", "dana@example.test").await;
        let body = newest_body(&app, &people, "password_reset", "dana@example.test").await;
        assert!(body.starts_with("Hello Dana,\n"), "a known first name is used: {body}");
    }

    async fn a_totp_secret_stored_before_encryption_is_sealed_at_start_and_still_works(backend: Backend) {
        let key = doorstep_web::auth::secret_box::SecretKey::generate();
        let with_key = key.clone();
        let app = TestApp::spawn_with(backend, move |s| s.secret_key = Some(with_key)).await;
        let people = seed_people(&app).await;
        let plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let owner = doorstep_store::sessions::SessionOwner::Login(people.sam);
        let mut tx = app.store.begin().await.unwrap();
        assert!(tx.begin_two_factor_setup(people.acme, owner, plain).await.unwrap());
        tx.enable_two_factor(people.acme, owner, &[]).await.unwrap();
        tx.commit().await.unwrap();

        // Another data directory: the key comes from DOORSTEP_SECRET_KEY, not a file.
        let elsewhere = tempfile::tempdir().unwrap();
        let mut settings = crate::helpers::test_settings(&app.db.url, elsewhere.path().to_path_buf());
        settings.secret_key = Some(key);
        let again = doorstep::app::App::build(&settings).await.expect("restarts");
        let stored: Option<String> = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
            "SELECT totp_secret FROM portal_logins WHERE company_id = $1 AND id = $2")
            .bind(people.acme.0).bind(people.sam.0).fetch_one(p).await).unwrap();
        let stored = stored.unwrap();
        assert!(stored.starts_with("v1:") && !stored.contains(plain), "sealed at start: {stored}");
        assert!(!elsewhere.path().join("secret.key").exists(), "no key file when the key is set");

        let origin = format!("http://acme.localhost:{}", again.addr().port());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .resolve("acme.localhost", again.addr())
            .build()
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(again.run_until(async move {
            let _ = stopped.await;
        }));
        let first = submit_at(&client, &origin, "/sign-in", "/sign-in", &[("email", "sam@example.test"), ("password", PASSWORD)]).await;
        assert_eq!(first.headers()["location"], "/sign-in/two-factor");
        let code = code_at(plain, doorstep_store::now()).unwrap();
        let ok = submit_at(&client, &origin, "/sign-in/two-factor", "/sign-in/two-factor", &[("code", &code)]).await;
        assert_eq!(ok.status(), 303);
        assert_eq!(ok.headers()["location"], "/", "the sealed secret still gives the same codes");
        let _ = stop.send(());
    }
}
