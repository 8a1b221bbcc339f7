//! The words of Acme's documents and completed forms.

use super::json;

/// The water heater's warranty certificate.
pub(crate) fn warranty(owner: &str, address: &str) -> String {
    format!(
        "WARRANTY CERTIFICATE\n\
         Acme Plumbing & Heating, 120 Main Street, Springfield, IL 62701\n\n\
         Owner:      {owner}\n\
         Address:    {address}, Springfield, IL\n\
         Equipment:  Rheem Performance Plus 50 gal gas water heater\n\
         Serial:     RH-0419-55821\n\n\
         Tank:       6 years, manufacturer (registered with Rheem)\n\
         Parts:      1 year, Acme Plumbing & Heating\n\
         Labour:     1 year, Acme Plumbing & Heating\n\n\
         Keep this certificate with your home records. Annual flushing keeps the tank\n\
         warranty valid; we will remind you when it is due.\n"
    )
}

/// The camera inspection after a main-line cleaning.
pub(crate) fn camera_report() -> String {
    "CAMERA INSPECTION REPORT\n\n\
     Line:        4 in. cast iron main, basement clean-out to the street\n\
     Length:      78 ft\n\
     Findings:    Heavy grease build-up at 12-20 ft (cleared).\n\
                  Minor root intrusion at the joint at 61 ft (cut back).\n\
                  No breaks, no belly.\n\
     Recommended: Re-inspect in 18-24 months; avoid grease down the kitchen sink.\n"
        .to_owned()
}

/// A backflow test certificate for the water utility.
pub(crate) fn backflow_certificate(address: &str) -> String {
    format!(
        "BACKFLOW PREVENTION ASSEMBLY TEST REPORT\n\n\
         Service address: {address}, Springfield, IL\n\
         Assembly:        Watts 909 reduced-pressure zone, 2 in., serial 4471-A\n\
         Tester:          Jenna Torres, certificate BPT-2291\n\n\
         Check valve 1:   closed tight at 5.2 psid\n\
         Relief valve:    opened at 2.8 psid\n\
         Check valve 2:   closed tight\n\
         Result:          PASS. A copy was filed with Springfield Water.\n"
    )
}

/// The dental clinic's quarterly inspection report.
pub(crate) fn clinic_report() -> String {
    "QUARTERLY PLUMBING INSPECTION\nSpringfield Dental Group, 1500 Wabash Avenue\n\n\
     Sterilizer drain lines: clear\n\
     Amalgam separator: cartridge replaced, old cartridge sent for recycling\n\
     Water heater: set to 120 F, relief valve tested\n\
     Leaks: none found\n"
        .to_owned()
}

/// The furnace safety checklist's answers.
pub(crate) fn furnace_form() -> String {
    json::answers(&[
        ("Filter replaced", "Yes"),
        ("Burners cleaned", "Yes"),
        ("Flame sensor cleaned", "Yes"),
        ("Heat exchanger", "No cracks found"),
        ("CO reading (ppm)", "0"),
        ("Thermostat calibrated", "Yes"),
    ])
}

/// The boiler inspection checklist's answers.
pub(crate) fn boiler_form(co2: &str, co_ppm: &str) -> String {
    let combustion = format!("CO2 {co2}, CO {co_ppm} ppm");
    json::answers(&[
        ("Combustion analysis", &combustion),
        ("Low-water cut-off tested", "Pass"),
        ("Relief valve", "Pass"),
        ("Expansion tank pressure", "12 psi"),
        (
            "Notes",
            "Recommend replacing the circulator pump within 2 years.",
        ),
    ])
}

/// The backflow test form's answers.
pub(crate) fn backflow_form() -> String {
    json::answers(&[
        ("Device", "Watts 909 RPZ, 2 in."),
        ("Check valve 1", "Closed tight, 5.2 psid"),
        ("Relief valve opened at", "2.8 psid"),
        ("Result", "Pass"),
    ])
}

/// The clinic's quarterly checklist's answers.
pub(crate) fn clinic_form() -> String {
    json::answers(&[
        ("Sterilizer drain lines", "Clear"),
        ("Amalgam separator", "Cartridge replaced"),
        ("Water heater temperature", "120 °F"),
        ("Leaks found", "None"),
    ])
}
