//! Signing in and out, sessions, accounts, locking, throttling and CSRF.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{PASSWORD, TestApp, html, seed_people, sign_in, text_of};

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap_or("")
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

both_backends! {
    async fn a_contact_signs_in_sees_its_account_and_signs_out(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let res = sign_in(&app, &client, "acme", "Sam@Example.test").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/");
        let cookie = set_cookie(&res, "doorstep").expect("session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
        assert_eq!(cookie_value(&cookie).len(), 64, "256-bit token");

        let home = client.get(app.url("acme", "/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let doc = html(&home.text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=active-account]").as_deref(), Some("Harbor Property Co."));
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Harbor Property Co."));

        let out = app.submit(&client, "acme", "/", "/sign-out", &[]).await;
        assert_eq!(out.status(), 303);
        let again = client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap();
        assert_eq!(text_of(&html(&again), "h1").as_deref(), Some("Sign in"));
    }

    async fn the_old_cookie_is_worthless_after_sign_out(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let res = sign_in(&app, &client, "acme", "sam@example.test").await;
        let token = cookie_value(&set_cookie(&res, "doorstep").unwrap());
        app.submit(&client, "acme", "/", "/sign-out", &[]).await;
        let replay = app.client(&["acme"]).get(app.url("acme", "/accounts"))
            .header("cookie", format!("doorstep={token}")).send().await.unwrap();
        assert_eq!(replay.status(), 303);
        assert_eq!(replay.headers()["location"], "/sign-in");
    }

    async fn signing_in_again_issues_a_new_session_and_ends_the_old(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let first = cookie_value(&set_cookie(&sign_in(&app, &client, "acme", "sam@example.test").await, "doorstep").unwrap());
        // Signed in, the browser is sent away from /sign-in; its home page carries the token.
        let again = app.submit(&client, "acme", "/", "/sign-in", &[("email", "sam@example.test"), ("password", PASSWORD)]).await;
        let second = cookie_value(&set_cookie(&again, "doorstep").unwrap());
        assert_ne!(first, second);
        let replay = app.client(&["acme"]).get(app.url("acme", "/accounts"))
            .header("cookie", format!("doorstep={first}")).send().await.unwrap();
        assert_eq!(replay.status(), 303, "the pre-sign-in session is gone");
    }

    async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let wrong = app.submit(&client, "acme", "/sign-in", "/sign-in", &[("email", "dana@example.test"), ("password", "not the password")]).await;
        let unknown = app.submit(&client, "acme", "/sign-in", "/sign-in", &[("email", "nobody@example.test"), ("password", "not the password")]).await;
        assert_eq!(wrong.status(), 422);
        assert_eq!(unknown.status(), 422);
        let a = text_of(&html(&wrong.text().await.unwrap()), "[role=alert]");
        let b = text_of(&html(&unknown.text().await.unwrap()), "[role=alert]");
        assert!(a.is_some());
        assert_eq!(a, b);
    }

    async fn the_same_email_at_another_company_is_another_login(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme", "bolt"]);
        let at_bolt = sign_in(&app, &client, "bolt", "dana@example.test").await;
        assert_eq!(at_bolt.status(), 422, "acme's password does not open bolt's login");
        let bolt_pw = app.submit(&client, "bolt", "/sign-in", "/sign-in", &[("email", "dana@example.test"), ("password", "bolt only password")]).await;
        assert_eq!(bolt_pw.status(), 303);
        // Bolt's session means nothing on Acme's host.
        let acme_home = client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap();
        assert_eq!(text_of(&html(&acme_home), "h1").as_deref(), Some("Sign in"));
    }

    async fn dana_picks_one_of_her_two_accounts_and_switches_without_signing_in_again(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let res = sign_in(&app, &client, "acme", "dana@example.test").await;
        assert_eq!(res.status(), 303);
        let home = client.get(app.url("acme", "/")).send().await.unwrap();
        assert_eq!(home.status(), 303);
        assert_eq!(home.headers()["location"], "/accounts");
        let picker = html(&client.get(app.url("acme", "/accounts")).send().await.unwrap().text().await.unwrap());
        let names: Vec<String> = picker.select(&scraper::Selector::parse(".account-name").unwrap())
            .map(|e| e.text().collect::<String>()).collect();
        assert_eq!(names, ["Dana Whitaker", "Harbor Property Co."]);
        let ids: Vec<String> = picker.select(&scraper::Selector::parse("input[name=customer]").unwrap())
            .filter_map(|e| e.value().attr("value").map(str::to_owned)).collect();

        for (id, name) in ids.iter().zip(["Dana Whitaker", "Harbor Property Co."]) {
            let chosen = app.submit(&client, "acme", "/accounts", "/accounts", &[("customer", id)]).await;
            assert_eq!(chosen.status(), 303);
            let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
            assert_eq!(text_of(&doc, "[data-testid=active-account]").as_deref(), Some(name));
            assert!(text_of(&doc, ".switch-link").is_some(), "the header offers switching");
        }
    }

    async fn an_account_of_someone_else_cannot_be_chosen(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        sign_in(&app, &client, "acme", "sam@example.test").await;
        let res = app.submit(&client, "acme", "/accounts", "/accounts", &[("customer", &people.household.0.to_string())]).await;
        assert_eq!(res.status(), 404);
        let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=active-account]").as_deref(), Some("Harbor Property Co."));
    }

    async fn a_site_contact_sees_only_its_own_sites(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        sign_in(&app, &client, "acme", "sam@example.test").await;
        let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        let sites = text_of(&doc, "[data-testid=sites]").unwrap();
        assert!(sites.contains("Bayview Apartments"));
        assert!(!sites.contains("Pier Offices"), "{sites}");
    }

    async fn a_locked_login_is_refused_like_a_wrong_password_and_its_open_session_ends(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        sign_in(&app, &client, "acme", "sam@example.test").await;
        assert_eq!(client.get(app.url("acme", "/")).send().await.unwrap().status(), 200);

        let mut tx = app.store.begin().await.unwrap();
        tx.set_login_locked(people.acme, people.sam, true, "unpaid invoices").await.unwrap();
        tx.commit().await.unwrap();

        let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Sign in"), "the open session ended");
        // The right password gets the generic refusal (issue 14, point 7: no oracle), which
        // says whom to contact; the contact learns of the lock by email.
        let refused = sign_in(&app, &client, "acme", "sam@example.test").await;
        assert_eq!(refused.status(), 422);
        let msg = text_of(&html(&refused.text().await.unwrap()), "[role=alert]").unwrap();
        assert!(!msg.contains("locked") && msg.contains("Acme Plumbing & Heating"), "{msg}");

        let mut tx = app.store.begin().await.unwrap();
        tx.set_login_locked(people.acme, people.sam, false, "").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sign_in(&app, &client, "acme", "sam@example.test").await.status(), 303);
    }

    async fn repeated_failures_slow_down_one_login_with_a_clear_message(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        for _ in 0..5 {
            let res = app.submit(&client, "acme", "/sign-in", "/sign-in", &[("email", "dana@example.test"), ("password", "guess guess guess")]).await;
            assert_eq!(res.status(), 422);
        }
        // Even the right password waits now: the attacker learns nothing from the 6th try.
        let res = sign_in(&app, &client, "acme", "dana@example.test").await;
        assert_eq!(res.status(), 429);
        let msg = text_of(&html(&res.text().await.unwrap()), "[role=alert]").unwrap();
        assert!(msg.contains("Too many failed attempts"), "{msg}");
        // Another login is not affected by Dana's counter (only by the address's own).
        let sam = sign_in(&app, &client, "acme", "sam@example.test").await;
        assert_eq!(sam.status(), 303);
    }

    async fn sign_in_out_and_failures_are_audited(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        app.submit(&client, "acme", "/sign-in", "/sign-in", &[("email", "sam@example.test"), ("password", "nope nope nope")]).await;
        sign_in(&app, &client, "acme", "sam@example.test").await;
        let actions = app.store.recent_audit_actions(people.acme, 10).await.unwrap();
        assert_eq!(actions, ["sign_in.succeeded", "sign_in.failed"]);
    }

    async fn a_cross_site_or_tokenless_post_is_refused_and_changes_nothing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme", "bolt"]);
        let token = crate::helpers::csrf_of(&client, &app.url("acme", "/")).await;
        let form = [("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", token.as_str())];
        let foreign = client.post(app.url("acme", "/sign-in")).header("origin", app.origin("bolt")).form(&form).send().await.unwrap();
        assert_eq!(foreign.status(), 403);
        let no_origin = client.post(app.url("acme", "/sign-in")).form(&form).send().await.unwrap();
        assert_eq!(no_origin.status(), 403);
        let no_token = client.post(app.url("acme", "/sign-in")).header("origin", app.origin("acme"))
            .form(&[("email", "sam@example.test"), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(no_token.status(), 403);
        let wrong_token = client.post(app.url("acme", "/sign-in")).header("origin", app.origin("acme"))
            .form(&[("email", "sam@example.test"), ("password", PASSWORD), ("csrf_token", "0123456789abcdef0123456789abcdef")]).send().await.unwrap();
        assert_eq!(wrong_token.status(), 403);
        assert!(app.store.recent_audit_actions(people.acme, 10).await.unwrap().is_empty(), "nothing happened");
    }

    async fn staff_sign_in_at_the_office_and_contacts_cannot(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let contact = app.submit(&client, "acme", "/office", "/office/sign-in", &[("email", "dana@example.test"), ("password", PASSWORD)]).await;
        assert_eq!(contact.status(), 422);
        let staff_at_portal = sign_in(&app, &client, "acme", "office@acme.test").await;
        assert_eq!(staff_at_portal.status(), 422);
        let staff = app.submit(&client, "acme", "/office", "/office/sign-in", &[("email", "office@acme.test"), ("password", PASSWORD)]).await;
        assert_eq!(staff.status(), 303);
        let home = html(&client.get(app.url("acme", "/office")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&home, "h1").as_deref(), Some("Today"));
        assert!(text_of(&home, ".account-label").unwrap().contains("Olivia Park"));
        // A staff session is not a portal session.
        let portal = client.get(app.url("acme", "/accounts")).send().await.unwrap();
        assert_eq!(portal.status(), 303);
        let out = app.submit(&client, "acme", "/office", "/office/sign-out", &[]).await;
        assert_eq!(out.status(), 303);
        let home = html(&client.get(app.url("acme", "/office")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&home, "h1").as_deref(), Some("Office sign-in"));
    }

    async fn sign_out_everywhere_ends_every_session_of_the_login(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let phone = app.client(&["acme"]);
        let laptop = app.client(&["acme"]);
        sign_in(&app, &phone, "acme", "sam@example.test").await;
        sign_in(&app, &laptop, "acme", "sam@example.test").await;
        let res = app.submit(&laptop, "acme", "/", "/sign-out/everywhere", &[]).await;
        assert_eq!(res.status(), 303);
        for client in [&phone, &laptop] {
            let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
            assert_eq!(text_of(&doc, "h1").as_deref(), Some("Sign in"));
        }
    }
}

both_backends! {
    async fn an_emailed_sign_in_link_survives_link_scanners_and_works_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        let mut answers = Vec::new();
        for email in ["sam@example.test", "stranger@example.test"] {
            let res = app.submit(&client, "acme", "/sign-in/link", "/sign-in/link", &[("email", email)]).await;
            assert_eq!(res.status(), 200);
            answers.push(text_of(&html(&res.text().await.unwrap()), "[role=status]").unwrap().replace(email, "EMAIL"));
        }
        assert_eq!(answers[0], answers[1]);
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        assert_eq!(outbox.len(), 1, "only the real login gets an email");
        assert_eq!(outbox[0].kind, "sign_in_link");
        let link = outbox[0].body_text.split_whitespace().find(|w| w.contains("/sign-in/link/")).unwrap().to_owned();

        // A scanner fetching the link twice uses nothing up.
        for _ in 0..2 {
            let page = client.get(&link).send().await.unwrap();
            assert_eq!(page.status(), 200);
        }
        let path = link.trim_start_matches(&app.origin("acme")).to_owned();
        let signed = app.submit(&client, "acme", &path, &path, &[]).await;
        assert_eq!(signed.status(), 303);
        let doc = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=active-account]").as_deref(), Some("Harbor Property Co."));
        assert_eq!(client.get(&link).send().await.unwrap().status(), 410, "used up");
    }

    async fn an_expired_sign_in_link_is_refused(backend: Backend) {
        use doorstep_store::tokens::{TokenOwner, TokenPurpose};
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let token = doorstep_web::auth::token::new_token();
        let mut tx = app.store.begin().await.unwrap();
        tx.create_token(people.acme, &doorstep_web::auth::token::hash_token(&token), TokenPurpose::SignInLink,
            TokenOwner::Login(people.sam), doorstep_store::now() - time::Duration::minutes(1)).await.unwrap();
        tx.commit().await.unwrap();
        let client = app.client(&["acme"]);
        assert_eq!(client.get(app.url("acme", &format!("/sign-in/link/{token}"))).send().await.unwrap().status(), 410);
        let token_for_post = crate::helpers::csrf_of(&client, &app.url("acme", "/")).await;
        let post = client.post(app.url("acme", &format!("/sign-in/link/{token}"))).header("origin", app.origin("acme"))
            .form(&[("csrf_token", token_for_post.as_str())]).send().await.unwrap();
        assert_eq!(post.status(), 410);
    }
}

both_backends! {
    async fn sign_in_returns_to_the_page_asked_for_once_and_only_on_this_host(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let asked = client.get(app.url("acme", "/jobs?search=pump")).send().await.unwrap();
        assert_eq!(asked.status(), 303);
        assert_eq!(asked.headers()["location"], "/sign-in");
        let remembered = set_cookie(&asked, "doorstep_return").expect("the page asked for is remembered");
        assert!(remembered.contains("HttpOnly") && remembered.contains("SameSite=Lax"), "{remembered}");

        let res = sign_in(&app, &client, "acme", "sam@example.test").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/jobs?search=pump");
        let forgotten = set_cookie(&res, "doorstep_return").expect("used once, then forgotten");
        assert!(forgotten.contains("Max-Age=0"), "{forgotten}");
        assert_eq!(client.get(app.url("acme", "/jobs?search=pump")).send().await.unwrap().status(), 200);

        // Signed out and in again: home, not the old page.
        app.submit(&client, "acme", "/", "/sign-out", &[]).await;
        assert_eq!(sign_in(&app, &client, "acme", "sam@example.test").await.headers()["location"], "/");

        // A planted cookie naming another site, or an office page, is not followed.
        for planted in ["%2F%2Fevil.example%2Fx", "%2F%5Cevil.example", "https%3A%2F%2Fevil.example", "%2Foffice%2Fcustomers", "%2Fsign-in"] {
            let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
            jar.add_cookie_str(&format!("doorstep_return={planted}; Path=/"), &app.url("acme", "/").parse().unwrap());
            let browser = reqwest::Client::builder().cookie_provider(jar)
                .redirect(reqwest::redirect::Policy::none())
                .resolve("acme.localhost", app.addr).build().unwrap();
            let res = sign_in(&app, &browser, "acme", "sam@example.test").await;
            assert_eq!(res.status(), 303, "{planted}");
            assert_eq!(res.headers()["location"], "/", "{planted}");
        }

        // A form post while signed out remembers nothing.
        let browser = app.client(&["acme"]);
        let post = browser.post(app.url("acme", "/support/new")).header("origin", app.origin("acme")).send().await.unwrap();
        assert!(set_cookie(&post, "doorstep_return").is_none());
    }

    async fn the_office_returns_to_its_page_and_sign_out_says_so(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let asked = client.get(app.url("acme", "/office/customers")).send().await.unwrap();
        assert_eq!(asked.headers()["location"], "/office");
        let res = app.submit(&client, "acme", "/office", "/office/sign-in",
            &[("email", "office@acme.test"), ("password", PASSWORD)]).await;
        assert_eq!(res.headers()["location"], "/office/customers");

        let out = app.submit(&client, "acme", "/office/customers", "/office/sign-out", &[]).await;
        assert_eq!(out.headers()["location"], "/office?signed_out=1");
        let page = client.get(app.url("acme", "/office?signed_out=1")).send().await.unwrap().text().await.unwrap();
        assert_eq!(text_of(&html(&page), "[role=status]").as_deref(), Some("You have signed out. Sign in again whenever you need to."));

        let portal = app.client(&["acme"]);
        sign_in(&app, &portal, "acme", "sam@example.test").await;
        let out = app.submit(&portal, "acme", "/", "/sign-out", &[]).await;
        assert_eq!(out.headers()["location"], "/sign-in?signed_out=1");
        let page = portal.get(app.url("acme", "/sign-in?signed_out=1")).send().await.unwrap().text().await.unwrap();
        let doc = html(&page);
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Sign in"));
        assert_eq!(text_of(&doc, "[role=status]").as_deref(), Some("You have signed out. Sign in again whenever you need to."));
    }
}
