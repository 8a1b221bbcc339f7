//! Acme's customers: Dana's household (C-1001), Harbor Property Co. (C-1002) with its four
//! sites and three contacts, its sub-customer the Harbor Lofts HOA (C-1003), five more
//! accounts (one contact without an email) and a self-signed-up prospect (C-1009).

use doorstep_core::ids::{ContactId, CustomerId, LoginId, SiteId};
use doorstep_core::status::ContactRole;

use super::accounts::{Account, AccountRow, account, accounts_from, person, simple_account, site};
use super::seeder::Seeder;

/// The customers the rest of the Acme demo refers to.
pub(crate) struct Customers {
    pub(crate) dana_login: LoginId,
    pub(crate) household: Account,
    pub(crate) harbor: CustomerId,
    pub(crate) lofts: SiteId,
    pub(crate) bayview: SiteId,
    pub(crate) pier: SiteId,
    pub(crate) yard: SiteId,
    pub(crate) dana_harbor: ContactId,
    pub(crate) sam: ContactId,
    pub(crate) hoa: Account,
    pub(crate) brooks: Account,
    pub(crate) diner: Account,
    pub(crate) fontaine: Account,
    pub(crate) dental: Account,
    pub(crate) nguyen: Account,
}

#[rustfmt::skip]
const OTHERS: [AccountRow<'static>; 5] = [
    ("Ellen Brooks", "residential", "ellen.brooks@example.test", "(555) 010-4410", "88 Oak Avenue",
     "Home", ("Ellen", "Brooks", Some("ellen.brooks@example.test"))),
    ("Lakeside Diner", "commercial", "rosa@lakesidediner.test", "(555) 010-5520", "310 Lake Shore Drive",
     "Restaurant", ("Rosa", "Delgado", Some("rosa@lakesidediner.test"))),
    // A contact without an email: the office sees why portal access cannot be enabled.
    ("Gerald Fontaine", "residential", "", "(555) 010-6121", "7 Birch Court",
     "Home", ("Gerald", "Fontaine", None)),
    ("Springfield Dental Group", "commercial", "office@springfielddental.test", "(555) 010-7300",
     "1500 Wabash Avenue", "Clinic", ("Karen", "Liu", Some("karen.liu@springfielddental.test"))),
    ("Thao Nguyen", "residential", "thao.nguyen@example.test", "(555) 010-8232", "52 Willow Lane",
     "Home", ("Thao", "Nguyen", Some("thao.nguyen@example.test"))),
];

/// Adds Acme's customers, in number order.
pub(crate) async fn add(s: &mut Seeder<'_>) -> anyhow::Result<Customers> {
    let co = s.company;
    let dana_email = Some("dana@example.test");

    // C-1001: Dana Whitaker's household.
    let dana_login = s.login("dana@example.test").await?;
    let c = account(
        "Dana Whitaker",
        "residential",
        "dana@example.test",
        "(555) 010-3344",
        "14 Elm Street",
    );
    let customer = s.customer(c).await?;
    let notes = "Side gate is unlocked. Friendly dog named Biscuit.";
    let home =
        s.tx.insert_site(co, &site(customer, "Home", "14 Elm Street", notes))
            .await?;
    let dana = person(
        customer,
        ("Dana", "Whitaker", dana_email),
        "(555) 010-3344",
        Some(dana_login),
    );
    let contact = s.tx.insert_contact(co, &dana).await?;
    let household = Account {
        customer,
        site: home,
        contact,
    };

    // C-1002: Harbor Property Co., managed by Dana (the same login); Sam looks after
    // Bayview Apartments only; Priya receives the invoices and has no portal access.
    let mut c = account(
        "Harbor Property Co.",
        "commercial",
        "accounts@harbor.test",
        "(555) 010-7800",
        "200 Harbor Way, Suite 300",
    );
    c.billing_postal_code = "62702".into();
    c.credit_minor = 5_000;
    let harbor = s.customer(c).await?;
    let mut sites = Vec::new();
    for (name, line1, notes) in [
        (
            "Harbor Lofts",
            "200 Harbor Way",
            "Boiler room key at the front desk.",
        ),
        (
            "Bayview Apartments",
            "45 Bayview Road",
            "Gate code #4410. Park in the visitor spaces.",
        ),
        (
            "Pier Offices",
            "9 Pier Street",
            "Check in with security in the lobby.",
        ),
    ] {
        sites.push(
            s.tx.insert_site(co, &site(harbor, name, line1, notes))
                .await?,
        );
    }
    let &[lofts, bayview, pier] = sites.as_slice() else {
        anyhow::bail!("Harbor needs three service sites");
    };
    let mut yard = site(
        harbor,
        "Harbor yard",
        "1 Dockside Lane",
        "Rental drop-off and pickup, weekdays 7 am-3 pm.",
    );
    yard.kind = "pickup".into();
    let yard = s.tx.insert_site(co, &yard).await?;

    let mut dana = person(
        harbor,
        ("Dana", "Whitaker", dana_email),
        "(555) 010-7801",
        Some(dana_login),
    );
    dana.is_billing = false;
    let dana_harbor = s.tx.insert_contact(co, &dana).await?;
    let sam_login = s.login("sam@example.test").await?;
    let mut sam = person(
        harbor,
        ("Sam", "Ortega", Some("sam@example.test")),
        "(555) 010-7845",
        Some(sam_login),
    );
    sam.role = ContactRole::Site;
    sam.is_primary = false;
    sam.is_billing = false;
    let sam = s.tx.insert_contact(co, &sam).await?;
    s.tx.add_contact_site(co, sam, bayview).await?;
    let mut priya = person(
        harbor,
        ("Priya", "Shah", Some("priya@harbor.test")),
        "(555) 010-7810",
        None,
    );
    priya.is_primary = false;
    s.tx.insert_contact(co, &priya).await?;

    // C-1003: the Harbor Lofts HOA, a sub-customer of Harbor.
    let mut c = account(
        "Harbor Lofts HOA",
        "commercial",
        "board@harborlofts.test",
        "(555) 010-7820",
        "200 Harbor Way",
    );
    c.parent = Some(harbor);
    let marcus = ("Marcus", "Bell", Some("marcus.bell@example.test"));
    let hoa = simple_account(s, c, "Harbor Lofts common areas", marcus, None).await?;

    // C-1004 to C-1008.
    let others = accounts_from(s, &OTHERS).await?;
    let &[brooks, diner, fontaine, dental, nguyen] = others.as_slice() else {
        anyhow::bail!("five more customers were expected");
    };

    // C-1009: a prospect who signed up in the portal: flagged for the office, no work yet.
    let jordan = ("Jordan", "Meyers", Some("jordan.meyers@example.test"));
    let login = s.login("jordan.meyers@example.test").await?;
    let mut c = account(
        "Jordan Meyers",
        "residential",
        "jordan.meyers@example.test",
        "(555) 010-9014",
        "23 Cedar Street",
    );
    c.is_prospect = true;
    simple_account(s, c, "Home", jordan, Some(login)).await?;

    Ok(Customers {
        dana_login,
        household,
        harbor,
        lofts,
        bayview,
        pier,
        yard,
        dana_harbor,
        sam,
        hoa,
        brooks,
        diner,
        fontaine,
        dental,
        nguyen,
    })
}
