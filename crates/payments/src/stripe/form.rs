//! Stripe's request bodies: `application/x-www-form-urlencoded`, nested fields written
//! with brackets (`line_items[0][price_data][unit_amount]=1500`).

/// A form body under construction, fields in the order added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// An empty body.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    pub(crate) fn set(&mut self, key: impl Into<String>, value: impl ToString) -> &mut Self {
        self.fields.push((key.into(), value.to_string()));
        self
    }

    /// Adds `key=value` when there is a value.
    pub(crate) fn maybe(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.set(key, value);
        }
        self
    }

    /// Adds `prefix[name]=value` for each metadata entry.
    pub(crate) fn metadata<'a>(
        &mut self,
        prefix: &str,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> &mut Self {
        for (name, value) in entries {
            self.set(format!("{prefix}[{name}]"), value);
        }
        self
    }

    /// The encoded body.
    pub(crate) fn encode(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.fields {
            out.append_pair(key, value);
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Form;

    #[test]
    fn nested_keys_and_values_are_escaped() {
        let mut form = Form::new();
        form.set(
            "line_items[0][price_data][product_data][name]",
            "Invoice I-1 & more",
        )
        .set("line_items[0][quantity]", 1);
        assert_eq!(
            form.encode(),
            "line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=Invoice+I-1+%26+more\
             &line_items%5B0%5D%5Bquantity%5D=1"
        );
    }
}
