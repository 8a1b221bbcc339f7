//! Acme's customers' saved payment methods, equipment with its maintenance schedule,
//! a rental unit, and Dana's service agreement.

use doorstep_core::ids::{AssetId, CatalogueItemId, CustomerId, SiteId};
use doorstep_store::assets::NewAsset;
use doorstep_store::billing::NewPaymentMethod;

use super::acme::Acme;
use super::seeder::Seeder;

/// The equipment jobs refer to (service history).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gear {
    pub(crate) water_heater: AssetId,
    pub(crate) furnace: AssetId,
    pub(crate) boiler_lofts: AssetId,
    pub(crate) boiler_pier: AssetId,
}

fn card(customer: CustomerId, brand: &str, last4: &str, reference: &str) -> NewPaymentMethod {
    NewPaymentMethod {
        customer,
        processor: "stripe".into(),
        processor_ref: reference.into(),
        kind: "card".into(),
        brand: brand.into(),
        last4: last4.into(),
        exp_month: None,
        exp_year: None,
        is_default: false,
        autopay: false,
    }
}

/// A piece of equipment installed on `installed_on` at `site`.
fn equipment(
    customer: CustomerId,
    site: SiteId,
    name: &str,
    (make, model, serial): (&str, &str, &str),
    installed_on: time::Date,
) -> NewAsset {
    NewAsset {
        customer,
        site: Some(site),
        catalogue_item: None,
        kind: "equipment".into(),
        name: name.into(),
        make: make.into(),
        model: model.into(),
        serial_number: serial.into(),
        installed_on: Some(installed_on),
        rental_start_on: None,
        rental_end_on: None,
    }
}

/// Adds the payment methods, equipment, rental and agreement.
pub(crate) async fn add(s: &mut Seeder<'_>, a: &Acme) -> anyhow::Result<Gear> {
    let co = s.company;
    let year = i64::from(s.today.year());
    let dana = a.household.customer;

    let mut visa = card(dana, "Visa", "4242", "pm_demo_visa");
    visa.exp_month = Some(8);
    visa.exp_year = Some(year + 2);
    visa.is_default = true;
    s.tx.insert_payment_method(co, &visa).await?;
    let mut mastercard = card(dana, "Mastercard", "5454", "pm_demo_mastercard");
    mastercard.exp_month = Some(11);
    mastercard.exp_year = Some(year + 1);
    s.tx.insert_payment_method(co, &mastercard).await?;
    let mut bank = card(a.harbor, "First Harbor Bank", "6789", "pm_demo_ach");
    bank.kind = "bank".into();
    bank.is_default = true;
    bank.autopay = true;
    s.tx.insert_payment_method(co, &bank).await?;

    let water_heater =
        s.tx.insert_asset(
            co,
            &equipment(
                dana,
                a.household.site,
                "Water heater",
                ("Rheem", "Performance Plus 50 gal", "RH-0419-55821"),
                s.day(-1461),
            ),
        )
        .await?;
    s.tx.insert_maintenance(
        co,
        water_heater,
        "Annual flush",
        365,
        Some(s.day(-345)),
        s.day(20),
    )
    .await?;
    let furnace =
        s.tx.insert_asset(
            co,
            &equipment(
                dana,
                a.household.site,
                "Furnace",
                ("Carrier", "59SC5 96% AFUE", "CA-2217-09913"),
                s.day(-2557),
            ),
        )
        .await?;
    s.tx.insert_maintenance(
        co,
        furnace,
        "Fall inspection",
        365,
        Some(s.day(-160)),
        s.day(205),
    )
    .await?;

    let boiler_lofts =
        s.tx.insert_asset(
            co,
            &equipment(
                a.harbor,
                a.lofts,
                "Boiler, Harbor Lofts",
                ("Burnham", "Alpine ALP285", "BU-1509-33417"),
                s.day(-3300),
            ),
        )
        .await?;
    s.tx.insert_maintenance(
        co,
        boiler_lofts,
        "Annual boiler inspection",
        365,
        Some(s.day(-330)),
        s.day(35),
    )
    .await?;
    let boiler_pier =
        s.tx.insert_asset(
            co,
            &equipment(
                a.harbor,
                a.pier,
                "Boiler, Pier Offices",
                ("Weil-McLain", "Ultra 230", "WM-1803-77120"),
                s.day(-2200),
            ),
        )
        .await?;
    s.tx.insert_maintenance(
        co,
        boiler_pier,
        "Annual boiler inspection",
        365,
        Some(s.day(-300)),
        s.day(65),
    )
    .await?;
    rental(s, a, a.dehumidifier).await?;

    s.tx.insert_agreement(
        co,
        dana,
        "Comfort Club",
        2,
        1,
        19_900,
        s.day(-213),
        s.day(152),
    )
    .await?;
    Ok(Gear {
        water_heater,
        furnace,
        boiler_lofts,
        boiler_pier,
    })
}

/// The dehumidifier Harbor has on rent from the yard (seed 004's rentals).
async fn rental(s: &mut Seeder<'_>, a: &Acme, item: CatalogueItemId) -> anyhow::Result<()> {
    let unit = NewAsset {
        catalogue_item: Some(item),
        kind: "rental".into(),
        rental_start_on: Some(s.day(-12)),
        rental_end_on: Some(s.day(18)),
        installed_on: None,
        ..equipment(
            a.harbor,
            a.yard,
            "Dehumidifier rental, unit D-07",
            ("Dri-Eaz", "Revolution LGR", "DZ-2207-00107"),
            s.day(-12),
        )
    };
    s.tx.insert_asset(s.company, &unit).await?;
    Ok(())
}
