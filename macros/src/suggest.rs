//! "Did you mean ...?" suggestions for misspelled names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            (
                strsim::normalized_damerau_levenshtein(name, candidate),
                candidate,
            )
        })
        .filter(|(score, candidate)| *score >= 0.6 || candidate.eq_ignore_ascii_case(name))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `"; did you mean `X`?"`, or an empty string when nothing is close.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match closest(name, candidates) {
        Some(candidate) => format!("; did you mean `{candidate}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let states = ["Created", "Ready", "Running", "Stopped"];
        assert_eq!(closest("Runing", states), Some("Running"));
        assert_eq!(closest("Crated", states), Some("Created"));
        assert_eq!(closest("ready", states), Some("Ready"));
        assert_eq!(closest("Zebra", states), None);
        assert_eq!(did_you_mean("Zebra", states), "");
    }
}
