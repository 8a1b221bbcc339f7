//! The kinds of work Acme Plumbing & Heating does, as templates the demo's jobs are made from.

use super::lines::Item::{self, Fee, Labour, Part, Product, Service};

/// Index of the job type in [`JOB_TYPES`].
pub(crate) const REPAIR: usize = 0;
pub(crate) const MAINTENANCE: usize = 1;
pub(crate) const INSTALLATION: usize = 2;
pub(crate) const INSPECTION: usize = 3;
pub(crate) const DRAIN: usize = 4;

/// Acme's job types, in the order of the indexes above.
pub(crate) const JOB_TYPES: [&str; 5] = [
    "Repair",
    "Maintenance",
    "Installation",
    "Inspection",
    "Drain cleaning",
];

/// One kind of job: what the portal shows and what it costs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Work {
    pub(crate) job_type: usize,
    pub(crate) summary: &'static str,
    pub(crate) description: &'static str,
    /// Work-order notes for the technicians.
    pub(crate) notes: &'static str,
    pub(crate) items: &'static [Item],
}

pub(crate) const fn work(
    job_type: usize,
    summary: &'static str,
    description: &'static str,
    notes: &'static str,
    items: &'static [Item],
) -> Work {
    Work {
        job_type,
        summary,
        description,
        notes,
        items,
    }
}

const SERVICE_CALL: Item = Fee("Service call", 8_900);

pub(crate) const FAUCET: Work = work(
    REPAIR,
    "Leaking kitchen faucet",
    "Kitchen faucet drips constantly from the spout; replace the cartridge and O-rings.",
    "Single-handle Moen; bring a 1225 cartridge. Shut-offs under the sink are stiff.",
    &[
        SERVICE_CALL,
        Labour("Labour", 1_000),
        Part("Moen 1225 cartridge", 1_000, 3_895),
    ],
);
pub(crate) const TOILET: Work = work(
    REPAIR,
    "Running toilet",
    "Upstairs toilet runs on and off all night; replace the fill valve and flapper.",
    "Standard 2-piece Kohler. Check the supply line for corrosion.",
    &[
        Labour("Labour", 1_000),
        Part("Fluidmaster 400A fill valve", 1_000, 1_895),
        Part("Toilet flapper", 1_000, 895),
    ],
);
pub(crate) const WH_FLUSH: Work = work(
    MAINTENANCE,
    "Annual water heater flush",
    "Flush sediment from the tank, test the T&P valve and check the anode rod.",
    "Drain hose to the floor drain in the basement. Note the anode rod's condition.",
    &[
        Service("Water heater flush", 14_900),
        Part("Anode rod", 1_000, 4_250),
    ],
);
pub(crate) const FURNACE_TUNE_UP: Work = work(
    MAINTENANCE,
    "Furnace tune-up",
    "Seasonal tune-up: clean the burners and flame sensor, check the heat exchanger, replace the filter.",
    "Comfort Club member: the tune-up is included, parts are extra.",
    &[
        Service("Furnace tune-up (Comfort Club)", 0),
        Part("Furnace filter 16x25x1", 2_000, 1_295),
    ],
);
pub(crate) const FURNACE_INSPECTION: Work = work(
    INSPECTION,
    "Furnace safety inspection",
    "Heating safety inspection before the cold season, with a carbon monoxide test.",
    "Fill in the furnace safety checklist.",
    &[
        Service("Heating safety inspection", 9_900),
        Part("Furnace filter 16x25x1", 1_000, 1_295),
    ],
);
pub(crate) const DISPOSAL: Work = work(
    REPAIR,
    "Garbage disposal replacement",
    "Disposal hums but does not turn; replace the unit.",
    "Customer approved a Badger 5 on the phone.",
    &[
        Product("InSinkErator Badger 5 disposal", 1_000, 13_900),
        Labour("Labour", 1_500),
    ],
);
pub(crate) const SUMP_CHECK: Work = work(
    INSPECTION,
    "Sump pump check",
    "Test the sump pump and float switch before the spring rains.",
    "Pit is in the laundry room behind the shelving.",
    &[Service("Sump pump inspection", 8_900)],
);
pub(crate) const SPIGOT: Work = work(
    REPAIR,
    "Outdoor spigot leaking",
    "The back-yard spigot leaks into the basement wall when it is turned on.",
    "Replace with a frost-free sillcock.",
    &[
        Part("Frost-free sillcock, 10 in.", 1_000, 3_650),
        Labour("Labour", 1_500),
    ],
);
pub(crate) const SOFTENER: Work = work(
    INSTALLATION,
    "Install water softener",
    "Install a 48,000-grain softener with bypass on the main line, as estimated.",
    "Drain line to the laundry standpipe. Set hardness to 18 gpg.",
    &[
        Product("Fleck 5600SXT softener, 48k grain", 1_000, 89_900),
        Part("Bypass valve and fittings", 1_000, 6_400),
        Labour("Installation labour", 3_000),
    ],
);
pub(crate) const NO_HOT_WATER: Work = work(
    REPAIR,
    "No hot water",
    "Gas water heater pilot will not stay lit.",
    "Likely thermocouple; bring one.",
    &[
        SERVICE_CALL,
        Part("Thermocouple", 1_000, 2_400),
        Labour("Labour", 1_000),
    ],
);
pub(crate) const MAIN_LINE: Work = work(
    DRAIN,
    "Main line drain cleaning",
    "Basement floor drain backs up when the washer drains; clean the main line and camera it.",
    "Clean-out is next to the water heater. Record the camera run.",
    &[
        Service("Main line cleaning (up to 100 ft)", 18_900),
        Service("Camera inspection", 12_500),
    ],
);
pub(crate) const SLOW_DRAIN: Work = work(
    DRAIN,
    "Slow shower drain and re-caulk",
    "Shower drains slowly and the caulk around the tub is mouldy.",
    "Customer will call to book once the tile is dry.",
    &[
        Service("Drain cleaning, secondary line", 14_900),
        Part("Silicone sealant and backer rod", 1_000, 1_850),
        Labour("Re-caulking", 1_000),
    ],
);
pub(crate) const WATER_HEATER_INSTALL: Work = work(
    INSTALLATION,
    "Install 50-gallon water heater",
    "Replace the failed 40-gallon tank with a 50-gallon gas water heater and expansion tank.",
    "Permit pulled by the office. Haul away the old tank.",
    &[
        Product("Rheem Performance Plus 50 gal water heater", 1_000, 74_900),
        Part("Thermal expansion tank", 1_000, 6_900),
        Labour("Installation labour", 4_000),
        Fee("Haul-away of old unit", 4_500),
    ],
);

/// Residential work, for the generated jobs of households.
pub(crate) const HOME_WORK: &[Work] = &[
    FAUCET,
    TOILET,
    WH_FLUSH,
    FURNACE_INSPECTION,
    DISPOSAL,
    SUMP_CHECK,
    SPIGOT,
    NO_HOT_WATER,
    MAIN_LINE,
];

pub(crate) const BOILER_SERVICE: Work = work(
    MAINTENANCE,
    "Annual boiler service",
    "Annual combustion analysis, cleaning and safety check of the building's boiler.",
    "Boiler room key at the front desk. Fill in the boiler inspection checklist.",
    &[
        Service("Boiler service, commercial", 32_500),
        Part("Gasket kit", 1_000, 5_800),
        Labour("Labour", 2_000),
    ],
);
pub(crate) const BACKFLOW: Work = work(
    INSPECTION,
    "Backflow prevention test",
    "Annual test and certification of the backflow preventer for the water utility.",
    "Send the certificate to the utility and attach it to the job.",
    &[Service("Backflow test and certification", 11_500)],
);
pub(crate) const TANKLESS: Work = work(
    INSTALLATION,
    "Install tankless water heater",
    "Replace the laundry room's tank heater with a condensing tankless unit, as estimated.",
    "Permit required. Vent through the east wall.",
    &[
        Product("Navien NPE-240A2 tankless water heater", 1_000, 189_900),
        Part("Concentric venting kit", 1_000, 24_500),
        Labour("Installation labour", 6_000),
    ],
);
pub(crate) const UNIT_LEAK: Work = work(
    REPAIR,
    "Leak under a unit's kitchen sink",
    "Tenant reports water in the cabinet under the kitchen sink.",
    "Call the tenant 30 minutes ahead; a key is at the management office.",
    &[
        Fee("Service call, commercial", 9_900),
        Labour("Labour", 1_000),
        Part("Supply line and quarter-turn shut-off", 2_000, 1_850),
    ],
);

pub(crate) const RESTROOM_TOILET: Work = work(
    REPAIR,
    "Common restroom toilet repair",
    "The flushometer in the lobby restroom runs continuously.",
    "Rebuild the Sloan Royal valve.",
    &[
        Part("Flushometer rebuild kit", 1_000, 4_800),
        Labour("Labour", 1_000),
    ],
);
pub(crate) const FREEZE_INSPECTION: Work = work(
    INSPECTION,
    "Pre-winter freeze inspection",
    "Check heat tape, exterior hose bibs and the sprinkler riser before the first freeze.",
    "Walk the parking garage too.",
    &[Service("Freeze-protection inspection", 19_500)],
);
pub(crate) const GREASE_TRAP: Work = work(
    MAINTENANCE,
    "Quarterly grease trap service",
    "Pump out and clean the kitchen grease trap.",
    "Before 10 am, before the kitchen opens.",
    &[
        Service("Grease trap pump-out", 27_500),
        Fee("Disposal fee", 4_500),
    ],
);

/// Commercial work, for the generated jobs of buildings.
pub(crate) const BUILDING_WORK: &[Work] = &[
    UNIT_LEAK,
    work(
        DRAIN,
        "Clogged main stack",
        "Several ground-floor units report slow drains; jet the main stack.",
        "Roof access for the vent; bring the 200 ft jetter.",
        &[
            Service("Main stack jetting", 45_000),
            Labour("Labour", 2_000),
        ],
    ),
    work(
        REPAIR,
        "Water heater thermostat replacement",
        "The commercial water heater overheats; replace the thermostat.",
        "Isolate and drain before replacing.",
        &[
            Part("Commercial thermostat", 1_000, 8_900),
            Labour("Labour", 1_500),
        ],
    ),
    RESTROOM_TOILET,
    work(
        REPAIR,
        "No heat in units 3A–3D",
        "The third-floor zone is cold; check the zone valve and circulator.",
        "Tenants are home after 4 pm.",
        &[
            SERVICE_CALL,
            Labour("Labour", 3_000),
            Part("Zone valve", 2_000, 9_400),
        ],
    ),
    FREEZE_INSPECTION,
    work(
        DRAIN,
        "Storm drain backup in the parking lot",
        "Standing water over the parking-lot storm drain after rain; jet and camera it.",
        "Cone off the area before starting.",
        &[
            Service("Storm drain jetting", 38_500),
            Service("Camera inspection", 12_500),
        ],
    ),
    GREASE_TRAP,
];

/// Product sales (no visit), by what was sold.
pub(crate) const FILTER_SALE: Work = work(
    MAINTENANCE,
    "Whole-house filter cartridges",
    "Four replacement cartridges for the whole-house filter, picked up at the counter.",
    "",
    &[Product("Whole-house filter cartridge", 4_000, 3_450)],
);
pub(crate) const SUMP_SALE: Work = work(
    INSTALLATION,
    "Sump pump (counter sale)",
    "A spare sump pump for the Pier Offices' elevator pit.",
    "",
    &[Product("Zoeller M53 sump pump", 1_000, 28_900)],
);
pub(crate) const ENZYME_SALE: Work = work(
    MAINTENANCE,
    "Grease trap enzyme treatment",
    "A case of enzyme treatment for the kitchen drains.",
    "",
    &[Product("Drain enzyme treatment, 1 gal", 4_000, 3_900)],
);

/// Notes printed on invoices, taken in turn.
pub(crate) const INVOICE_NOTES: [&str; 4] = [
    "Thank you for choosing Acme Plumbing & Heating!",
    "Parts carry a 1-year warranty; labour is guaranteed for 90 days.",
    "",
    "Please quote the invoice number with your payment.",
];
