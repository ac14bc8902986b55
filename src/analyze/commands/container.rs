//! container: the command a `docker run`, `podman run` or `docker compose run` starts, so
//! that `docker run hashicorp/terraform destroy` is judged as the `terraform destroy` it is.
//!
//! It only finds the image and the words after it; it never judges them (the packs do). An
//! image's entrypoint is known for the few tool images people run this way (Terraform,
//! kubectl, Helm, the AWS CLI); any other image runs the words after it as its command.

use super::lex::Word;

/// What a container run starts.
pub struct Started {
    /// The image, or the compose service, as the command names it.
    pub image: String,
    pub compose: bool,
    /// The command inside the container, entrypoint first.
    pub argv: Vec<Word>,
}

impl Started {
    /// Where the command runs, to lead a finding's message.
    pub fn place(&self) -> String {
        if self.compose {
            format!("In the compose service `{}`", self.image)
        } else {
            format!("In a `{}` container", self.image)
        }
    }
}

/// `docker`'s own flags (before `run`) that take a value.
const DOCKER_GLOBAL_VALUES: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
    "--url",
    "--connection",
    "--identity",
    "--root",
    "--runroot",
    "--storage-driver",
    "--cgroup-manager",
    "--events-backend",
    "--network-cmd-path",
    "--runtime",
];

/// `docker compose`'s own flags (before `run`) that take a value.
const COMPOSE_GLOBAL_VALUES: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
];

/// Long `run` flags that take no value (docker, podman and compose together). Every other
/// long flag takes one: `run` has about a hundred that do and few that do not, so a flag
/// missing here costs at most the image name, not a value read as the image.
const RUN_BOOLEANS: &[&str] = &[
    "--detach",
    "--interactive",
    "--tty",
    "--rm",
    "--publish-all",
    "--privileged",
    "--init",
    "--read-only",
    "--read-only-tmpfs",
    "--oom-kill-disable",
    "--no-healthcheck",
    "--quiet",
    "--disable-content-trust",
    "--sig-proxy",
    "--use-api-socket",
    "--env-host",
    "--http-proxy",
    "--no-hosts",
    "--passwd",
    "--replace",
    "--rmi",
    "--tls-verify",
    "--build",
    "--no-deps",
    "--no-TTY",
    "--quiet-pull",
    "--remove-orphans",
    "--service-ports",
    "--use-aliases",
];

/// Short `run` flags that take a value; the others (`-d`, `-i`, `-t`, `-P`, `-q`, `-T`)
/// do not, so `-it` and `-dit` are clusters of switches.
const RUN_SHORT_VALUES: &str = "acehlmpuvw";

/// Images whose entrypoint is a tool twokey judges: the image's last path part, and the
/// tool it runs. Terraform's is matched with its publisher: any image can be named
/// `…/terraform`, and only HashiCorp's is known to start `terraform`.
pub(crate) fn entrypoint(image: &str) -> Option<&'static str> {
    let repository = image.split('@').next().unwrap_or(image);
    // A tag follows the last `:` unless that colon belongs to a registry's port.
    let repository = match repository.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => repository,
    };
    let (owner, last) = match repository.rsplit_once('/') {
        Some((owner, last)) => (owner.rsplit('/').next().unwrap_or(owner), last),
        None => ("", repository),
    };
    match (owner, last) {
        ("hashicorp", "terraform") => Some("terraform"),
        (_, "kubectl") if !owner.is_empty() => Some("kubectl"),
        (_, "helm") if !owner.is_empty() => Some("helm"),
        (_, "aws-cli") if !owner.is_empty() => Some("aws"),
        ("flyway", "flyway") => Some("flyway"),
        ("liquibase", "liquibase") => Some("liquibase"),
        _ => None,
    }
}

/// The command `words` (a `docker`, `podman` or compose call, program first) starts in a
/// container, when it runs one.
pub fn started(program: &str, words: &[Word]) -> Option<Started> {
    let text = |i: usize| words.get(i).map(|w| w.text.as_str());
    let mut i = 1;
    let compose = match program {
        "docker" | "podman" | "nerdctl" => {
            i = skip_flags(words, i, DOCKER_GLOBAL_VALUES);
            match text(i) {
                Some("compose") => {
                    i += 1;
                    true
                }
                Some("container") if text(i + 1) == Some("run") => {
                    i += 1;
                    false
                }
                _ => false,
            }
        }
        "docker-compose" | "podman-compose" => true,
        _ => return None,
    };
    if compose {
        let before = i;
        i = skip_flags(words, i, COMPOSE_GLOBAL_VALUES);
        // A dry run prints what it would do and starts nothing.
        if words
            .iter()
            .take(i)
            .skip(before)
            .any(|w| w.text == "--dry-run")
        {
            return None;
        }
    }
    if text(i) != Some("run") {
        return None;
    }
    let mut chosen_entrypoint: Option<&str> = None;
    i += 1;
    while let Some(t) = text(i) {
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        if let Some(value) = t.strip_prefix("--entrypoint=") {
            chosen_entrypoint = Some(value);
            i += 1;
        } else if t == "--entrypoint" {
            chosen_entrypoint = text(i + 1);
            i += 2;
        } else if t.starts_with("--") {
            let takes_value = !t.contains('=') && !RUN_BOOLEANS.contains(&t);
            i += if takes_value { 2 } else { 1 };
        } else {
            i += short_cluster_width(t);
        }
    }
    let image = words.get(i)?;
    let rest = &words[i + 1..];
    // `--entrypoint ""` clears the image's entrypoint: the command then runs as given.
    let tool = match chosen_entrypoint {
        Some(e) if !e.is_empty() => Some(e),
        Some(_) => None,
        None if compose => service_tool(&image.text),
        None => entrypoint(&image.text),
    };
    let mut argv = Vec::with_capacity(rest.len() + 1);
    // A command that already names the tool is that tool, whether the image prepends it or
    // (a compose service without an entrypoint) not.
    let names_tool = tool.is_some_and(|tool| {
        rest.first()
            .is_some_and(|w| w.text.rsplit('/').next() == tool.rsplit('/').next())
    });
    match tool {
        Some(tool) if !names_tool => argv.push(Word {
            text: tool.to_owned(),
            expansions: Vec::new(),
            if_empty: tool.to_owned(),
        }),
        None if rest.is_empty() => return None,
        _ => {}
    }
    argv.extend(rest.iter().cloned());
    Some(Started {
        image: image.text.clone(),
        compose,
        argv,
    })
}

/// A compose service named after the tool it runs (`terraform`, `kubectl`, `helm`, `aws`):
/// twokey cannot see the compose file, and such a service is that tool's image.
fn service_tool(service: &str) -> Option<&'static str> {
    match service {
        "terraform" => Some("terraform"),
        "kubectl" => Some("kubectl"),
        "helm" => Some("helm"),
        "aws" | "aws-cli" | "awscli" => Some("aws"),
        _ => None,
    }
}

/// Skips flags from `i`, the ones in `with_value` with the word after them.
fn skip_flags(words: &[Word], mut i: usize, with_value: &[&str]) -> usize {
    while let Some(t) = words.get(i).map(|w| w.text.as_str()) {
        if !t.starts_with('-') || t == "-" {
            break;
        }
        i += if with_value.contains(&t) { 2 } else { 1 };
    }
    i
}

/// How many words a short-flag cluster (`-it`, `-e`, `-eKEY=v`, `-dp`) takes: two when its
/// last letter takes a value given in the next word.
fn short_cluster_width(cluster: &str) -> usize {
    for (at, c) in cluster.char_indices().skip(1) {
        if RUN_SHORT_VALUES.contains(c) {
            // `-eKEY=v`: the value is the rest of the word.
            return if at + c.len_utf8() == cluster.len() {
                2
            } else {
                1
            };
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::commands::lex;

    fn run(script: &str) -> Option<(String, Vec<String>)> {
        let lexed = lex::lex(script, 1);
        let words = &lexed.commands[0].words;
        started(&words[0].text, words).map(|s| {
            (
                s.image,
                s.argv.into_iter().map(|w| w.text).collect::<Vec<_>>(),
            )
        })
    }

    #[test]
    fn options_that_take_a_value_are_not_the_image() {
        assert_eq!(
            run("docker run --rm -v $PWD:/w -w /w -e TF_IN_AUTOMATION=1 --name tf --network host -u 1000 hashicorp/terraform:1.7 destroy -auto-approve"),
            Some((
                "hashicorp/terraform:1.7".to_owned(),
                vec!["terraform".into(), "destroy".into(), "-auto-approve".into()]
            ))
        );
        assert_eq!(
            run("docker run -it -eFOO=1 --pull=always -p 80:80 alpine rm -rf /"),
            Some((
                "alpine".to_owned(),
                vec!["rm".into(), "-rf".into(), "/".into()]
            ))
        );
    }

    #[test]
    fn the_entrypoint_comes_from_the_flag_or_the_tool_image() {
        assert_eq!(
            run("docker run --entrypoint=tofu ghcr.io/acme/infra:3 destroy").map(|r| r.1),
            Some(vec!["tofu".into(), "destroy".into()])
        );
        assert_eq!(
            run("docker run --entrypoint '' hashicorp/terraform sh -c x").map(|r| r.1),
            Some(vec!["sh".into(), "-c".into(), "x".into()])
        );
        for (image, tool) in [
            ("docker.io/hashicorp/terraform@sha256:abc", "terraform"),
            ("bitnami/kubectl:1.29", "kubectl"),
            ("alpine/helm", "helm"),
            ("public.ecr.aws/aws-cli/aws-cli:2.15.0", "aws"),
            ("amazon/aws-cli", "aws"),
            ("localhost:5000/amazon/aws-cli", "aws"),
        ] {
            assert_eq!(entrypoint(image), Some(tool), "{image}");
        }
        for image in [
            "terraform",
            "acme/terraform",
            "kubectl",
            "nginx:1.25",
            "localhost:5000/helm-charts",
        ] {
            assert_eq!(entrypoint(image), None, "{image}");
        }
    }

    #[test]
    fn an_image_without_a_command_or_a_command_that_is_not_run_starts_nothing() {
        assert_eq!(run("docker run -e destroy=1 nginx"), None);
        assert_eq!(run("docker ps"), None);
        assert_eq!(run("docker compose --dry-run run terraform destroy"), None);
        assert_eq!(run("docker exec db psql"), None);
        // A value flag with nothing after it ends the words, not the slice.
        assert_eq!(run("docker compose -f"), None);
        assert_eq!(run("docker run -v"), None);
    }

    #[test]
    fn compose_runs_a_service_named_after_its_tool() {
        assert_eq!(
            run("docker compose -f ci.yml run --rm -T terraform destroy").map(|r| r.1),
            Some(vec!["terraform".into(), "destroy".into()])
        );
        assert_eq!(
            run("docker-compose run terraform terraform destroy").map(|r| r.1),
            Some(vec!["terraform".into(), "destroy".into()])
        );
        assert_eq!(
            run("podman container run quay.io/acme/tools kubectl delete ns prod").map(|r| r.1),
            Some(vec![
                "kubectl".into(),
                "delete".into(),
                "ns".into(),
                "prod".into()
            ])
        );
    }
}
