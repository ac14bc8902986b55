//! load_balancer: Services and Ingresses whose change tears down the load balancer in front
//! of them, or moves it to another address, while the object itself survives. Nothing is
//! deleted from the manifests, yet the cloud controller deletes a load balancer and clients
//! pointing at its address or DNS name are cut off.
//!
//! Only values written on both sides are compared where leaving one out means "whatever the
//! provider picks": a class dropped, or an address pin dropped where the provider keeps the
//! address in use (GKE, MetalLB, Cilium, kube-vip), and a templated value that may render
//! the same, are not reported. A pin dropped on Azure or an AWS Network Load Balancer's
//! Elastic IPs dropped is, since those providers do not keep it (see [`unpinned`]).

use super::{templated, ObjectId};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Location, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;
use std::collections::BTreeSet;

pub const LOAD_BALANCER_REMOVED: Rule = Rule {
    id: RuleId("kubernetes/load-balancer-removed"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A Service stops being of type LoadBalancer, its load balancer is moved to another address or scheme (or loses its pinned address on Azure, or its Elastic IPs on AWS), or an Ingress is handed to another class.",
    why: "A Service that is no longer a LoadBalancer has its cloud load balancer deleted and its address released: clients and DNS records pointing at it break, and an address that was not reserved is gone for good. Another `loadBalancerIP`, address annotation or scheme moves the load balancer to a new address, and an Ingress given another class is dropped by its old controller (which deletes its load balancer) and served by the new one from another address.",
    example: "  spec:\n-   type: LoadBalancer\n-   loadBalancerIP: 203.0.113.10\n+   type: ClusterIP",
    safer: "Reserve the address as a static IP first, create the new Service or Ingress next to the old one, move DNS and clients to it, and change or delete the old one in a later change.",
};

pub const RULES: &[&Rule] = &[&LOAD_BALANCER_REMOVED];

/// Where a Service's load balancer address is pinned: the deprecated field and the
/// annotations providers and bare-metal controllers read instead. Each holds one address or
/// name, or a comma-separated list.
const ADDRESS_PINS: &[&[&str]] = &[
    &["spec", "loadBalancerIP"],
    &[
        "metadata",
        "annotations",
        "metallb.universe.tf/loadBalancerIPs",
    ],
    &["metadata", "annotations", "metallb.io/loadBalancerIPs"],
    &["metadata", "annotations", "kube-vip.io/loadbalancerIPs"],
    &["metadata", "annotations", "lbipam.cilium.io/ips"],
    &["metadata", "annotations", "io.cilium/lb-ipam-ips"],
    &[
        "metadata",
        "annotations",
        "service.beta.kubernetes.io/aws-load-balancer-eip-allocations",
    ],
    &[
        "metadata",
        "annotations",
        "networking.gke.io/load-balancer-ip-addresses",
    ],
    &[
        "metadata",
        "annotations",
        "service.beta.kubernetes.io/azure-pip-name",
    ],
    &[
        "metadata",
        "annotations",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4",
    ],
];

/// Annotations that choose between an internet-facing and an internal load balancer, which
/// providers cannot switch in place: they create a new one with a new address. With the
/// value they mean when left out, where that does not depend on the controller (the AWS
/// scheme's default differs between the in-tree provider and the Load Balancer Controller).
const SCHEMES: &[(&str, Option<&str>)] = &[
    ("service.beta.kubernetes.io/aws-load-balancer-scheme", None),
    ("service.beta.kubernetes.io/aws-load-balancer-type", None),
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        Some("false"),
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        Some("false"),
    ),
    ("networking.gke.io/load-balancer-type", Some("External")),
    ("cloud.google.com/load-balancer-type", Some("External")),
];

pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if id.is("", "Service") {
        service(view, id, old, new, out);
    } else if id.is("networking.k8s.io", "Ingress") {
        ingress(view, id, old, new, out);
    }
}

fn at(view: &FileView, node: &Node) -> Location {
    view.at(Side::Head, node.line, node.line)
}

/// A Service's type as the API server sees it (ClusterIP when left out), or `None` when it
/// is a template.
fn service_type<'a>(view: &FileView, node: &'a Node) -> Option<&'a str> {
    match node.path(&["spec", "type"]) {
        None => Some("ClusterIP"),
        Some(t) => t.as_str().filter(|t| !templated(view, t)),
    }
}

fn service(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    let (Some(before), Some(after)) = (service_type(view, old), service_type(view, new)) else {
        return;
    };
    if before != "LoadBalancer" {
        return;
    }
    if after != "LoadBalancer" {
        let address = pinned(view, old)
            .map(|a| format!(" ({})", a.into_iter().collect::<Vec<_>>().join(", ")))
            .unwrap_or_default();
        let node = new
            .path(&["spec", "type"])
            .or_else(|| new.get("spec"))
            .unwrap_or(new);
        out.push(Finding::new(
            &LOAD_BALANCER_REMOVED,
            at(view, node),
            format!(
                "{id} changes from type LoadBalancer to {after}: the cloud controller deletes its load balancer and releases its address{address}, so clients and DNS records pointing at it break; an address that was not reserved cannot be had back."
            ),
        ));
        return;
    }
    if let (Some(was), Some(now)) = (pinned(view, old), pinned(view, new)) {
        if moved(view, old, new) && was != now {
            let node = ADDRESS_PINS
                .iter()
                .find_map(|path| new.path(path))
                .unwrap_or(new);
            let list = |set: BTreeSet<&str>| set.into_iter().collect::<Vec<_>>().join(", ");
            out.push(
                Finding::new(
                    &LOAD_BALANCER_REMOVED,
                    at(view, node),
                    format!(
                        "{id} moves its load balancer from {} to {}: clients and DNS records pointing at the old address are cut off.",
                        list(was),
                        list(now)
                    ),
                )
                .with_severity(Severity::Medium),
            );
        }
    }
    unpinned(view, id, old, new, out);
    for (annotation, default) in SCHEMES {
        let path = ["metadata", "annotations", annotation];
        let value = |node: &'_ Node| -> Option<String> {
            match node.path(&path) {
                Some(v) => v
                    .as_str()
                    .filter(|v| !templated(view, v))
                    .map(str::to_ascii_lowercase),
                None => default.map(str::to_ascii_lowercase),
            }
        };
        let (Some(was), Some(now)) = (value(old), value(new)) else {
            continue;
        };
        if was == now {
            continue;
        }
        let node = new.path(&path).unwrap_or(new);
        out.push(
            Finding::new(
                &LOAD_BALANCER_REMOVED,
                at(view, node),
                format!(
                    "{id} changes `{annotation}` from {was} to {now}: the provider cannot switch a load balancer in place, so it deletes it and creates another with a new address."
                ),
            )
            .with_severity(Severity::Medium),
        );
    }
}

const AZURE_PINS: &[&str] = &[
    "service.beta.kubernetes.io/azure-pip-name",
    "service.beta.kubernetes.io/azure-load-balancer-ipv4",
];
const AWS_EIPS: &str = "service.beta.kubernetes.io/aws-load-balancer-eip-allocations";

/// A load balancer that loses every address pin, on a provider that does not keep the
/// address when it does. Azure's cloud provider picks the public IP by the pin (the
/// `azure-pip-name` annotation, else the public IP holding `loadBalancerIP`), and without one
/// uses the Service's own default public IP, creating it: the load balancer moves to a new
/// address. AWS cannot change a Network Load Balancer's Elastic IPs in place. Elsewhere the
/// address in use is kept, so a pin dropped there stays quiet.
fn unpinned(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    let still_pinned = ADDRESS_PINS.iter().any(|path| new.path(path).is_some());
    if still_pinned {
        return;
    }
    let Some(was) = pinned(view, old) else {
        return;
    };
    let annotation = |key: &str| old.path(&["metadata", "annotations", key]).is_some();
    let on_azure = AZURE_PINS.iter().any(|key| annotation(key))
        || old
            .path(&["metadata", "annotations"])
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .any(|(key, _)| key.starts_with("service.beta.kubernetes.io/azure-"));
    let consequence = if on_azure {
        "the Azure cloud provider then uses the Service's own default public IP, creating it, and moves the load balancer to it: clients and DNS records pointing at the old address are cut off (a public IP you created is left in Azure, detached)"
    } else if annotation(AWS_EIPS) {
        "AWS cannot change a Network Load Balancer's Elastic IPs in place, so the load balancer keeps them only until it is recreated, or is recreated now on addresses AWS picks: clients and allow-lists that rely on the Elastic IPs are cut off"
    } else {
        return;
    };
    let node = new
        .path(&["metadata", "annotations"])
        .filter(|_| old.path(&["spec", "loadBalancerIP"]).is_none())
        .or_else(|| new.get("spec"))
        .unwrap_or(new);
    let list = was.into_iter().collect::<Vec<_>>().join(", ");
    out.push(
        Finding::new(
            &LOAD_BALANCER_REMOVED,
            at(view, node),
            format!("{id} no longer pins its load balancer's address ({list}): {consequence}."),
        )
        .with_severity(Severity::Medium),
    );
}

/// Whether the pins name another address: one pin written on both sides changes, or the
/// pins share no field and differ. Dropping one of two pins that name the same address (an
/// Azure `azure-pip-name` beside the `loadBalancerIP` it holds) keeps the address.
fn moved(view: &FileView, old: &Node, new: &Node) -> bool {
    fn one<'a>(node: &'a Node, path: &[&str]) -> Option<BTreeSet<&'a str>> {
        node.path(path)
            .and_then(Node::as_str)
            .map(|v| v.split(',').map(str::trim).collect())
    }
    let mut shared = false;
    for path in ADDRESS_PINS {
        if let (Some(was), Some(now)) = (one(old, path), one(new, path)) {
            if was != now {
                return true;
            }
            shared = true;
        }
    }
    !shared && pinned(view, old) != pinned(view, new)
}

/// The addresses (or reserved address names) a Service pins its load balancer to, `None`
/// when it pins none or one is a template.
fn pinned<'a>(view: &FileView, node: &'a Node) -> Option<BTreeSet<&'a str>> {
    let mut out = BTreeSet::new();
    for path in ADDRESS_PINS {
        let Some(value) = node.path(path).and_then(Node::as_str) else {
            continue;
        };
        if templated(view, value) {
            return None;
        }
        out.extend(value.split(',').map(str::trim).filter(|v| !v.is_empty()));
    }
    (!out.is_empty()).then_some(out)
}

/// The class an Ingress names, by field or by the older annotation (the field wins), or
/// `None` when it names none (the cluster's default class) or it is a template.
fn ingress_class<'a>(view: &FileView, node: &'a Node) -> Option<&'a str> {
    node.path(&["spec", "ingressClassName"])
        .or_else(|| node.path(&["metadata", "annotations", "kubernetes.io/ingress.class"]))
        .and_then(Node::as_str)
        .filter(|c| !templated(view, c))
}

fn ingress(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    let (Some(was), Some(now)) = (ingress_class(view, old), ingress_class(view, new)) else {
        return;
    };
    if was == now {
        return;
    }
    let node = new
        .path(&["spec", "ingressClassName"])
        .or_else(|| new.path(&["metadata", "annotations", "kubernetes.io/ingress.class"]))
        .unwrap_or(new);
    out.push(
        Finding::new(
            &LOAD_BALANCER_REMOVED,
            at(view, node),
            format!(
                "{id} moves from ingress class {was} to {now}: the {was} controller stops serving it (a cloud controller deletes its load balancer) and the {now} controller serves it from another address, so its hosts are unreachable until DNS follows."
            ),
        )
        .with_severity(Severity::Medium),
    );
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("deploy/frontend.yaml", base, head).run(analyze)
    }

    const FRONTEND: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: frontend-external
  namespace: shop
spec:
  type: LoadBalancer
  loadBalancerIP: 203.0.113.10
  selector:
    app: frontend
  ports:
  - name: http
    port: 80
    targetPort: 8080
";

    #[test]
    fn a_load_balancer_turned_into_a_cluster_ip_service_is_high() {
        let head = FRONTEND
            .replace("type: LoadBalancer", "type: ClusterIP")
            .replace("  loadBalancerIP: 203.0.113.10\n", "");
        let f = run(FRONTEND, &head);
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.line, Some(7));
        assert_eq!(
            f[0].subject.as_deref(),
            Some("shop/Service/frontend-external")
        );
        assert!(f[0].message.contains("203.0.113.10"), "{}", f[0].message);
        // NodePort, ExternalName, or no type at all (ClusterIP) delete it the same way.
        for other in [
            "type: NodePort",
            "type: ExternalName\n  externalName: fe.example.com",
        ] {
            let head = FRONTEND.replace("type: LoadBalancer", other);
            assert_eq!(
                ids(&run(FRONTEND, &head)),
                ["kubernetes/load-balancer-removed"]
            );
        }
        let untyped = FRONTEND.replace("  type: LoadBalancer\n", "");
        assert_eq!(
            ids(&run(FRONTEND, &untyped)),
            ["kubernetes/load-balancer-removed"]
        );
    }

    #[test]
    fn a_service_becoming_a_load_balancer_or_changing_its_ports_is_quiet() {
        let internal = FRONTEND
            .replace("type: LoadBalancer", "type: ClusterIP")
            .replace("  loadBalancerIP: 203.0.113.10\n", "");
        assert!(run(&internal, FRONTEND).is_empty());
        let ports = FRONTEND.replace("targetPort: 8080", "targetPort: 9090");
        assert!(run(FRONTEND, &ports).is_empty());
        // Unpinning lets the provider keep the address it has.
        let unpinned = FRONTEND.replace("  loadBalancerIP: 203.0.113.10\n", "");
        assert!(run(FRONTEND, &unpinned).is_empty());
    }

    #[test]
    fn a_load_balancer_pinned_to_another_address_is_medium() {
        let f = run(FRONTEND, &FRONTEND.replace("203.0.113.10", "203.0.113.99"));
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(8));
        // Moving the same address from the deprecated field to MetalLB's annotation is quiet.
        let annotated = FRONTEND
            .replace("  loadBalancerIP: 203.0.113.10\n", "")
            .replace(
                "  namespace: shop\n",
                "  namespace: shop\n  annotations:\n    metallb.universe.tf/loadBalancerIPs: 203.0.113.10\n",
            );
        assert!(run(FRONTEND, &annotated).is_empty());
        let eips = annotated.replace(
            "metallb.universe.tf/loadBalancerIPs: 203.0.113.10",
            "service.beta.kubernetes.io/aws-load-balancer-eip-allocations: eipalloc-1,eipalloc-2",
        );
        let swapped = eips.replace("eipalloc-1,eipalloc-2", "eipalloc-2, eipalloc-1");
        assert!(run(&eips, &swapped).is_empty());
        let other = eips.replace("eipalloc-2", "eipalloc-3");
        assert_eq!(
            ids(&run(&eips, &other)),
            ["kubernetes/load-balancer-removed"]
        );
    }

    #[test]
    fn a_load_balancer_losing_its_pin_on_azure_or_its_elastic_ips_is_medium() {
        let pip = FRONTEND.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/azure-pip-name: shop-frontend-ip\n    service.beta.kubernetes.io/azure-dns-label-name: shop\n",
        );
        let dropped = pip
            .replace(
                "    service.beta.kubernetes.io/azure-pip-name: shop-frontend-ip\n",
                "",
            )
            .replace("  loadBalancerIP: 203.0.113.10\n", "");
        let f = run(&pip, &dropped);
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].message.contains("default public IP"),
            "{}",
            f[0].message
        );
        // `loadBalancerIP` alone on a Service that other Azure annotations place on Azure.
        let ip_only = pip.replace(
            "    service.beta.kubernetes.io/azure-pip-name: shop-frontend-ip\n",
            "",
        );
        let f = run(&ip_only, &dropped);
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].location.line, Some(9));
        let eips = FRONTEND.replace("  loadBalancerIP: 203.0.113.10\n", "").replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-type: external\n    service.beta.kubernetes.io/aws-load-balancer-eip-allocations: eipalloc-1,eipalloc-2\n",
        );
        let f = run(&eips, &eips.replace("    service.beta.kubernetes.io/aws-load-balancer-eip-allocations: eipalloc-1,eipalloc-2\n", ""));
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert!(f[0].message.contains("Elastic IPs"), "{}", f[0].message);
    }

    #[test]
    fn a_pin_dropped_where_the_provider_keeps_the_address_is_quiet() {
        // GKE and MetalLB keep the address the load balancer already has.
        assert!(run(
            FRONTEND,
            &FRONTEND.replace("  loadBalancerIP: 203.0.113.10\n", "")
        )
        .is_empty());
        let pip = FRONTEND.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/azure-pip-name: shop-frontend-ip\n",
        );
        // Still pinned by the field, or by a template written instead.
        let by_field = run(
            &pip,
            &pip.replace(
                "azure-pip-name: shop-frontend-ip",
                "azure-dns-label-name: shop",
            ),
        );
        // The field names the same address the dropped pin held: nothing moves.
        assert!(by_field.is_empty(), "{by_field:?}");
        // Another address in the field, beside the dropped pin, moves it.
        let elsewhere = run(
            &pip,
            &pip.replace(
                "azure-pip-name: shop-frontend-ip",
                "azure-dns-label-name: shop",
            )
            .replace("203.0.113.10", "203.0.113.99"),
        );
        assert_eq!(ids(&elsewhere), ["kubernetes/load-balancer-removed"]);
        assert!(
            elsewhere[0].message.contains("moves its load balancer"),
            "{elsewhere:?}"
        );
        let templated = pip.replace("shop-frontend-ip", "\"{{ .Values.pip }}\"");
        let by_template = run(
            &templated,
            &templated.replace("  loadBalancerIP: 203.0.113.10\n", ""),
        );
        assert!(
            by_template
                .iter()
                .all(|f| !f.message.contains("no longer pins")),
            "{by_template:?}"
        );
    }

    #[test]
    fn switching_a_load_balancer_between_internal_and_internet_facing_is_medium() {
        let aws = FRONTEND.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing\n",
        );
        let f = run(&aws, &aws.replace("internet-facing", "internal"));
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        // The AWS default depends on the controller: writing it out is not known to change it.
        let implicit = aws.replace(
            "  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing\n",
            "",
        );
        assert!(run(&implicit, &aws).is_empty());
        // GKE's default is external, so asking for an internal one moves it.
        let gke = implicit.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    networking.gke.io/load-balancer-type: Internal\n",
        );
        assert_eq!(
            ids(&run(&implicit, &gke)),
            ["kubernetes/load-balancer-removed"]
        );
    }

    const PODINFO: &str = "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: podinfo
  namespace: apps
spec:
  ingressClassName: nginx
  rules:
  - host: podinfo.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: podinfo
            port:
              number: 9898
";

    #[test]
    fn an_ingress_handed_to_another_class_is_medium() {
        let f = run(
            PODINFO,
            &PODINFO.replace("ingressClassName: nginx", "ingressClassName: alb"),
        );
        assert_eq!(ids(&f), ["kubernetes/load-balancer-removed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(7));
        // The annotation moved to the field with the same class is the same controller.
        let annotated = PODINFO.replace("  ingressClassName: nginx\n", "").replace(
            "  namespace: apps\n",
            "  namespace: apps\n  annotations:\n    kubernetes.io/ingress.class: nginx\n",
        );
        assert!(run(&annotated, PODINFO).is_empty());
        let traefik = annotated.replace("ingress.class: nginx", "ingress.class: traefik");
        assert_eq!(
            ids(&run(&annotated, &traefik)),
            ["kubernetes/load-balancer-removed"]
        );
        // Routes and hosts change routinely.
        let host = PODINFO.replace("podinfo.example.com", "www.example.com");
        assert!(run(PODINFO, &host).is_empty());
    }

    #[test]
    fn a_templated_type_or_class_is_not_known_to_change() {
        let chart = "charts/web/templates/service.yaml";
        let base = FRONTEND.replace("type: LoadBalancer", "type: {{ .Values.service.type }}");
        let f = Case::modified(chart, FRONTEND, &base).run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }
}
