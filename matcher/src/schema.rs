//! JSON Schemas of the hand-serialised wire types (ids, dates, vocabularies), for the
//! server's OpenAPI document; compiled only with the `schema` feature.

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, StringValidation};
use schemars::JsonSchema;

use crate::date::Date;

fn string(format: Option<&str>, pattern: Option<&str>, description: &str) -> SchemaObject {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: format.map(str::to_string),
        string: pattern.map(|p| {
            Box::new(StringValidation {
                pattern: Some(p.to_string()),
                ..Default::default()
            })
        }),
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_string()),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// A closed vocabulary: one of `values`, described by their Italian labels.
pub fn vocabulary(values: &[&str], labels: &str) -> Schema {
    let mut s = string(None, None, labels.trim_end_matches("; "));
    s.enum_values = Some(values.iter().map(|v| (*v).into()).collect());
    s.into()
}

/// A record id: 16 lowercase hex digits.
pub fn id() -> Schema {
    let mut s = string(
        None,
        Some("^[0-9a-f]{16}$"),
        "Record id: 16 lowercase hexadecimal digits",
    );
    s.metadata().examples = vec!["a000000000000001".into()];
    s.into()
}

impl JsonSchema for Date {
    fn schema_name() -> String {
        "Date".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string(Some("date"), None, "Calendar date, AAAA-MM-GG").into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Job, WorkerInput};

    fn openapi3() -> SchemaGenerator {
        schemars::gen::SchemaSettings::openapi3().into_generator()
    }

    #[test]
    fn vocabularies_list_their_wire_values() {
        let s = serde_json::to_value(Job::json_schema(&mut openapi3())).unwrap();
        let values: Vec<&str> = s["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let wire: Vec<&str> = Job::ALL.iter().map(|j| j.as_str()).collect();
        assert_eq!(values, wire);
        assert!(s["description"].as_str().unwrap().contains("badante"));
    }

    #[test]
    fn nested_required_fields_are_declared() {
        let mut g = openapi3();
        g.subschema_for::<WorkerInput>();
        let defs = serde_json::to_value(g.definitions()).unwrap();
        let required = |name: &str| defs[name]["required"].clone();
        assert!(required("Consent").to_string().contains("given_on"));
        assert!(required("HoursRange").to_string().contains("min"));
        assert!(required("Experience").to_string().contains("years"));
        assert_eq!(
            defs["WorkerInput"]["properties"]["gender"]["nullable"],
            true
        );
    }
}
