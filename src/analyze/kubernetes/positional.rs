//! positional: a Crossplane Composition whose `resources` entries have no `name`. Crossplane
//! then matches each entry to the resource it composed by its position in the list, so the
//! list's order and length are its identity: an entry inserted before others, removed or
//! moved has the entries after it composed from another template (the resources composed
//! there are deleted and created anew, or fail), and a shorter list deletes the resources
//! composed for its last positions, whichever entry was removed. Named entries are known by
//! name, which [`settings`](super::settings) compares.
//!
//! Only Compositions are read (every other object returns at the first comparison of its
//! identity), and an entry is told apart by the kind its template builds: a patch edited in
//! place keeps its position and is not reported.

use super::settings::head_line;
use super::{managed, ObjectId, MANAGED_RESOURCE_DELETED};
use crate::analyze::FileView;
use crate::finding::{Finding, Severity};
use crate::yaml::Node;

/// Findings for a Composition whose unnamed entries changed position or count.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if !id.is("apiextensions.crossplane.io", "Composition") {
        return;
    }
    let at = new.path(&["spec", "resources"]).unwrap_or(new);
    let Some(before) = unnamed(old) else {
        return;
    };
    let Some(after) = unnamed(new) else {
        if all_named(new) {
            // Crossplane now matches by name, through an annotation the resources composed
            // from unnamed entries never got: whether it adopts them or composes new ones
            // (deleting the old) depends on its version.
            out.push(
                Finding::new(
                    &MANAGED_RESOURCE_DELETED,
                    head_line(view, at),
                    format!("{id}'s `resources` entries are given names where they had none: Crossplane stops matching them by position and matches composed resources by name instead, which those it composed before do not carry, so it may compose them anew and delete the old ones. Check on one composite (`crossplane beta trace`) that its resources are kept before rolling it out."),
                )
                .with_severity(Severity::Medium),
            );
        }
        return;
    };
    let shifted = before
        .iter()
        .zip(&after)
        .position(|(a, b)| built(a) != built(b));
    if let Some(index) = shifted {
        let (was, now) = (kind(before[index]), kind(after[index]));
        out.push(
            Finding::new(
                &MANAGED_RESOURCE_DELETED,
                head_line(view, at),
                format!("{id}'s `resources` entries have no `name`, so Crossplane matches them to what it composed by position, and entry {} was a {was} and is now a {now}: every composite that follows this Composition's latest revision has the resources at that position and after composed from other templates, so they are deleted and created anew (their cloud resources with them) or fail. Name every entry, in a change that keeps the order, before inserting, removing or reordering any.", index + 1),
            )
            .with_severity(Severity::High),
        );
    }
    for (index, entry) in before.iter().enumerate().skip(after.len()) {
        let Some(external) = entry.get("base").and_then(managed::composed_external) else {
            continue;
        };
        if external.kept_by.is_some() {
            continue;
        }
        out.push(Finding::new(
            &MANAGED_RESOURCE_DELETED,
            head_line(view, at),
            format!("{id}'s `resources` entries have no `name` and the list is now {} long, not {}: Crossplane matches entries by position, so it deletes the resource composed for entry {} (a {}) from every composite that follows this Composition's latest revision, whichever entry was removed, and {}.", after.len(), before.len(), index + 1, kind(entry), external.deletes),
        ));
    }
}

/// The entries of a Composition's `spec.resources` (the legacy mode, where names are
/// optional), when none is named: Crossplane requires all or none to be.
fn unnamed(composition: &Node) -> Option<Vec<&Node>> {
    let entries = composition.path(&["spec", "resources"])?.as_seq();
    let none_named = !entries.is_empty() && entries.iter().all(|e| e.get("name").is_none());
    none_named.then(|| entries.iter().collect())
}

fn all_named(composition: &Node) -> bool {
    let entries = composition
        .path(&["spec", "resources"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    !entries.is_empty() && entries.iter().all(|e| e.get("name").is_some())
}

/// What an entry's template builds: its API version and kind.
fn built(entry: &Node) -> (Option<&str>, Option<&str>) {
    let field = |f: &str| entry.path(&["base", f]).and_then(Node::as_str);
    (field("apiVersion"), field("kind"))
}

fn kind(entry: &Node) -> &str {
    built(entry).1.unwrap_or("resource")
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("platform/composition.yaml", base, head).run(analyze)
    }

    const HEAD: &str = "\
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xpostgres
spec:
  compositeTypeRef:
    apiVersion: acme.io/v1alpha1
    kind: XPostgres
  resources:
";

    const GROUP: &str = "    - base:
        apiVersion: ec2.aws.upbound.io/v1beta1
        kind: SecurityGroup
        spec:
          forProvider:
            region: eu-west-1
";

    const DB: &str = "    - base:
        apiVersion: rds.aws.upbound.io/v1beta1
        kind: Instance
        spec:
          forProvider:
            region: eu-west-1
      patches:
        - fromFieldPath: spec.parameters.size
          toFieldPath: spec.forProvider.allocatedStorage
";

    const SUBNETS: &str = "    - base:
        apiVersion: rds.aws.upbound.io/v1beta1
        kind: SubnetGroup
        spec:
          forProvider:
            region: eu-west-1
";

    fn composition(entries: &[&str]) -> String {
        format!("{HEAD}{}", entries.concat())
    }

    #[test]
    fn inserting_or_reordering_unnamed_entries_recomposes_by_position() {
        let base = composition(&[GROUP, DB]);
        for head in [
            composition(&[SUBNETS, GROUP, DB]),
            composition(&[GROUP, SUBNETS, DB]),
            composition(&[DB, GROUP]),
        ] {
            let f = run(&base, &head);
            assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"], "{head}");
            assert_eq!(f[0].severity, Severity::High);
            assert!(f[0].message.contains("by position"), "{}", f[0].message);
        }
    }

    #[test]
    fn a_shorter_unnamed_list_deletes_what_its_last_positions_composed() {
        let base = composition(&[GROUP, DB]);
        let f = run(&base, &composition(&[GROUP]));
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains("entry 2 (a Instance)"),
            "{}",
            f[0].message
        );
        // Removing the first entry also shifts the second onto the first position.
        let f = run(&base, &composition(&[DB]));
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn naming_unnamed_entries_is_a_medium_caution() {
        let base = composition(&[GROUP, DB]);
        let named = |entry: &str, name: &str| {
            entry.replacen(
                "    - base:",
                &format!("    - name: {name}\n      base:"),
                1,
            )
        };
        let head = composition(&[&named(GROUP, "sg"), &named(DB, "db")]);
        let f = run(&base, &head);
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert_eq!(f[0].severity, Severity::Medium);
        // Named on both sides is known by name, and reordering it is quiet.
        let swapped = composition(&[&named(DB, "db"), &named(GROUP, "sg")]);
        assert!(run(&head, &swapped).is_empty());
    }

    #[test]
    fn appending_or_editing_unnamed_entries_in_place_is_quiet() {
        let base = composition(&[GROUP, DB]);
        let f = run(&base, &composition(&[GROUP, DB, SUBNETS]));
        assert!(f.is_empty(), "{f:?}");
        let edited = DB.replace("spec.parameters.size", "spec.parameters.storageGB");
        assert!(run(&base, &composition(&[GROUP, &edited])).is_empty());
        // Orphaned resources outlive their entry.
        let kept = SUBNETS.replace(
            "        spec:\n",
            "        spec:\n          deletionPolicy: Orphan\n",
        );
        let base = composition(&[GROUP, DB, &kept]);
        assert!(run(&base, &composition(&[GROUP, DB])).is_empty());
    }
}
