//! tool_config: API groups that look like Kubernetes (`apiVersion`, `kind`, `metadata.name`)
//! but configure a tool instead of declaring a cluster object. Nothing applies them to a
//! cluster, so removing one deletes nothing there: a Backstage catalog entry, a Skaffold or
//! kind config, a kubeadm or kubelet configuration file, a kustomization.

/// Groups (matched with their subdomains: `scaffolder.backstage.io` is under `backstage.io`).
const TOOL_GROUPS: &[&str] = &[
    // Kustomize's own files and KRM function configs.
    "kustomize.config.k8s.io",
    "config.kubernetes.io",
    "kpt.dev",
    // Developer catalogs and local-cluster tools.
    "backstage.io",
    "skaffold",
    "kind.x-k8s.io",
    "k3d.io",
    "ctlptl.dev",
    "score.dev",
    // Configuration files read by Kubernetes components at start-up, not API objects.
    "kubeadm.k8s.io",
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
    "kubescheduler.config.k8s.io",
    "apiserver.config.k8s.io",
    "audit.k8s.io",
    // Test suites that describe objects to apply and assert on.
    "kuttl.dev",
    "chainsaw.kyverno.io",
    "cli.kyverno.io",
];

/// Whether an `apiVersion` (`group/version`, or `version` for the core group) names a tool's
/// configuration rather than a cluster object.
pub(crate) fn is_tool_config(api_version: &str) -> bool {
    let Some((group, _)) = api_version.trim().rsplit_once('/') else {
        return false;
    };
    TOOL_GROUPS.iter().any(|tool| {
        group == *tool
            || group
                .strip_suffix(tool)
                .is_some_and(|sub| sub.ends_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_tool_config;

    #[test]
    fn tool_groups_and_their_subdomains_are_tool_config() {
        for api in [
            "backstage.io/v1alpha1",
            "scaffolder.backstage.io/v1beta3",
            "skaffold/v4beta6",
            "kustomize.config.k8s.io/v1beta1",
            "kubeadm.k8s.io/v1beta3",
        ] {
            assert!(is_tool_config(api), "{api}");
        }
    }

    #[test]
    fn cluster_groups_and_lookalikes_are_not() {
        for api in [
            "v1",
            "apps/v1",
            "argoproj.io/v1alpha1",
            "kustomize.toolkit.fluxcd.io/v1",
            "notbackstage.io/v1",
            "apiextensions.k8s.io/v1",
        ] {
            assert!(!is_tool_config(api), "{api}");
        }
    }
}
