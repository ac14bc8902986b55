//! Tests for detect: one or more per agent mark, per operator source, and the cases that must
//! stay quiet (humans, dependency bots, weak hints).

use super::*;
use crate::authorship::{AgentSpec, Authorship, SignalKind, Strength};
use crate::change::{
    Account, AccountType, Change, Commit, Completeness, Identity, PullRequestFacts, Revision,
};
use proptest::prelude::*;

const ADA: &str = "Ada Lovelace <1001+ada@users.noreply.github.com>";
const WEB_FLOW: &str = "GitHub <noreply@github.com>";

/// Builds a [`Change`] one mark at a time. Commit ids start at `1a2b3c4…`.
struct Build {
    change: Change,
}

fn change() -> Build {
    Build {
        change: Change {
            base: Revision::new("base"),
            head: Revision::new("head"),
            branch: None,
            files: Vec::new(),
            commits: Vec::new(),
            pull_request: None,
            completeness: Completeness::default(),
        },
    }
}

/// `Name <email>` as git writes it.
fn ident(text: &str) -> Identity {
    match text.split_once('<') {
        Some((name, email)) => Identity::new(name.trim(), email.trim_end_matches('>').trim()),
        None => Identity::new(text.trim(), ""),
    }
}

impl Build {
    fn branch(mut self, name: &str) -> Self {
        self.change.branch = Some(name.to_owned());
        self
    }
    /// A commit authored and committed by `who`.
    fn commit(self, who: &str, message: &str) -> Self {
        self.commit_by(who, who, message)
    }
    fn commit_by(mut self, author: &str, committer: &str, message: &str) -> Self {
        let n = self.change.commits.len() as u64;
        let id = Revision::new(format!("{:07x}{}", 0x1a2b3c4 + n, "0".repeat(33)));
        self.change.commits.push(Commit::new(
            id,
            ident(author),
            ident(committer),
            message.to_owned(),
        ));
        self
    }
    fn pr(&mut self) -> &mut PullRequestFacts {
        self.change
            .pull_request
            .get_or_insert_with(Default::default)
    }
    fn pr_author(mut self, login: &str, account_type: AccountType) -> Self {
        self.pr().author = Some(Account {
            login: Login::new(login),
            account_type,
            id: None,
        });
        self
    }
    fn pr_title(mut self, title: &str) -> Self {
        self.pr().title = title.to_owned();
        self
    }
    fn pr_body(mut self, body: &str) -> Self {
        self.pr().body = body.to_owned();
        self
    }
    fn run(self) -> Authorship {
        detect(&self.change, &AgentCatalogue::builtin())
    }
}

fn agents(a: &Authorship) -> Vec<&str> {
    a.agents.iter().map(String::as_str).collect()
}

fn signal<'a>(a: &'a Authorship, kind: SignalKind, agent: &str) -> Option<&'a Signal> {
    a.signals
        .iter()
        .find(|s| s.kind == kind && s.agent == agent)
}

fn operator_logins(a: &Authorship) -> Vec<&str> {
    a.operators
        .iter()
        .filter_map(|o| o.login.as_ref().map(Login::as_str))
        .collect()
}

fn human_commit() -> Build {
    change().commit(ADA, "Fix the thing\n\nBecause it was broken.")
}

// ---- branch prefixes -------------------------------------------------------------------

#[test]
fn each_agent_branch_prefix_is_a_strong_signal() {
    let cases = [
        ("copilot/fix-login", "copilot"),
        ("codex/add-cache", "codex"),
        ("claude/fix-db", "claude-code"),
        ("cursor/refactor-api-1a2b", "cursor"),
        ("devin/1712345678-fix-tests", "devin"),
        ("kiro/spec-task-3", "kiro"),
        ("jules/fix-readme", "jules"),
        ("sweep/add-logging", "sweep"),
        ("codegen-bot/fix-ci-42", "codegen"),
        ("openhands-fix-issue-17", "openhands"),
        ("opencode/issue12-20250601_101500", "opencode"),
    ];
    for (branch, agent) in cases {
        let a = human_commit().branch(branch).run();
        assert!(a.detected, "{branch}");
        assert_eq!(agents(&a), vec![agent], "{branch}");
        let s = signal(&a, SignalKind::BranchPrefix, agent).expect(branch);
        assert_eq!(s.strength, Strength::Strong);
        assert_eq!(s.evidence, format!("branch {branch}"));
    }
}

#[test]
fn branch_prefix_ignores_refs_heads_and_case() {
    let a = human_commit().branch("refs/heads/Claude/Fix-DB").run();
    assert_eq!(agents(&a), vec!["claude-code"]);
    assert_eq!(a.signals[0].evidence, "branch Claude/Fix-DB");
}

#[test]
fn agent_name_elsewhere_in_a_branch_is_not_a_prefix() {
    for branch in [
        "claudette/x",
        "feature/claude/x",
        "my-copilot/x",
        "codex-notes",
        "opencode-upgrade",
    ] {
        let a = human_commit().branch(branch).run();
        assert!(!a.detected, "{branch}");
        assert!(a.signals.is_empty(), "{branch}");
    }
}

// ---- bot logins and noreply addresses ----------------------------------------------------

const BOT_LOGINS: &[(&str, &str)] = &[
    ("copilot-swe-agent[bot]", "copilot"),
    ("Copilot", "copilot"),
    ("devin-ai-integration[bot]", "devin"),
    ("claude[bot]", "claude-code"),
    ("google-labs-jules[bot]", "jules"),
    ("kiro-agent[bot]", "kiro"),
    ("amazon-q-developer[bot]", "amazon-q"),
    ("openhands-ai[bot]", "openhands"),
    ("cursor[bot]", "cursor"),
    ("factory-droid[bot]", "factory"),
    ("codegen-sh[bot]", "codegen"),
    ("sweep-ai[bot]", "sweep"),
    ("gemini-cli[bot]", "gemini-cli"),
    ("opencode-agent[bot]", "opencode"),
    ("tembo[bot]", "tembo"),
    ("mentatbot[bot]", "mentat"),
];

#[test]
fn each_bot_login_as_pull_request_author_names_its_agent() {
    for (login, agent) in BOT_LOGINS {
        let a = human_commit().pr_author(login, AccountType::Bot).run();
        assert!(a.detected, "{login}");
        assert_eq!(agents(&a), vec![*agent], "{login}");
        let s = signal(&a, SignalKind::BotLogin, agent).expect(login);
        assert_eq!(s.evidence, format!("pull request author: {login}"));
        // The bot opened the pull request: it is not anybody's operator.
        assert!(a.operators.is_empty(), "{login}");
    }
}

#[test]
fn each_bot_noreply_address_as_commit_author_names_its_agent() {
    for (i, (login, agent)) in BOT_LOGINS.iter().enumerate() {
        let who = format!("{login} <{}+{login}@users.noreply.github.com>", 5000 + i);
        let a = change().commit(&who, "Do work").run();
        assert!(a.detected, "{login}");
        assert_eq!(agents(&a), vec![*agent], "{login}");
        let s = signal(&a, SignalKind::NoreplyEmail, agent).expect(login);
        assert!(
            s.evidence.starts_with("commit 1a2b3c4 author: "),
            "{}",
            s.evidence
        );
    }
}

#[test]
fn bot_login_match_ignores_case() {
    let a = human_commit()
        .pr_author("COPILOT-SWE-AGENT[BOT]", AccountType::Bot)
        .run();
    assert_eq!(agents(&a), vec!["copilot"]);
}

#[test]
fn copilot_account_id_matches_whatever_login_spelling_follows() {
    let a = change()
        .commit(
            "Someone <198982749+copilot-renamed@users.noreply.github.com>",
            "Work",
        )
        .run();
    assert_eq!(agents(&a), vec!["copilot"]);
    assert!(signal(&a, SignalKind::NoreplyEmail, "copilot").is_some());

    let other_id = change()
        .commit(
            "Someone <12345+copilot-renamed@users.noreply.github.com>",
            "Work",
        )
        .run();
    assert!(!other_id.detected);
}

#[test]
fn agent_committer_with_human_author_is_strong() {
    let a = change()
        .commit_by(ADA, "Claude <noreply@anthropic.com>", "Rebase")
        .run();
    assert!(a.detected);
    let s = signal(&a, SignalKind::NoreplyEmail, "claude-code").unwrap();
    assert_eq!(
        s.evidence,
        "commit 1a2b3c4 committer: Claude <noreply@anthropic.com>"
    );
}

#[test]
fn commit_author_evidence_names_short_sha_and_identity() {
    let a = change()
        .commit("Claude <noreply@anthropic.com>", "Fix")
        .run();
    assert_eq!(
        a.signals,
        vec![Signal {
            kind: SignalKind::NoreplyEmail,
            agent: "claude-code".into(),
            strength: Strength::Strong,
            evidence: "commit 1a2b3c4 author: Claude <noreply@anthropic.com>".into(),
        }]
    );
}

// ---- trailers ------------------------------------------------------------------------

#[test]
fn co_authored_by_each_agent_identity_is_strong() {
    let cases = [
        ("Co-authored-by: Claude <noreply@anthropic.com>", "claude-code"),
        ("Co-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>", "claude-code"),
        ("co-authored-by: Cursor Agent <cursoragent@cursor.com>", "cursor"),
        ("Co-authored-by: Codex <noreply@openai.com>", "codex"),
        ("Co-authored-by: aider (openai/gpt-4o) <aider@aider.chat>", "aider"),
        ("Co-authored-by: openhands <openhands@all-hands.dev>", "openhands"),
        (
            "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
            "copilot",
        ),
        (
            "Co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            "devin",
        ),
        ("Co-authored-by: Amp <amp@ampcode.com>", "amp"),
        ("Co-authored-by: Codex <codex@openai.com>", "codex"),
        ("Co-Authored-By: Claude <claude@anthropic.com>", "claude-code"),
        (
            "Co-authored-by: opencode <opencode-agent[bot]@users.noreply.github.com>",
            "opencode",
        ),
        ("Co-Authored-By: Warp <agent@warp.dev>", "warp"),
        ("Co-Authored-By: Oz <oz-agent@warp.dev>", "warp"),
        ("Co-Authored-By: Crush <crush@charm.land>", "crush"),
        (
            "Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>",
            "qwen-code",
        ),
        ("Co-authored-by: Augment Agent <agent@augmentcode.com>", "augment"),
        ("Co-Authored-By: Cline <noreply@cline.bot>", "cline"),
        ("Co-authored-by: goose <goose@block.xyz>", "goose"),
        ("Co-Authored-By: Goose <goose-agent@block.xyz>", "goose"),
        ("Co-authored-by: QoderAI <qoder_ai@qoder.com>", "qoder"),
        ("Co-authored-by: Windsurf <windsurf@codeium.com>", "windsurf"),
        ("Co-authored-by: Windsurf Cascade <cascade@windsurf.ai>", "windsurf"),
    ];
    for (trailer, agent) in cases {
        let a = change()
            .commit(ADA, &format!("Fix it\n\n{trailer}\n"))
            .run();
        assert!(a.detected, "{trailer}");
        assert_eq!(agents(&a), vec![agent], "{trailer}");
        let s = signal(&a, SignalKind::Trailer, agent).expect(trailer);
        assert_eq!(s.evidence, format!("commit 1a2b3c4: {trailer}"));
    }
}

/// Agent identities seen on real commits in 2026 that the catalogue first missed: Junie's and
/// Kilo Code's co-authors, the noreply addresses the Gemini, Amazon Q and OpenCode CLIs sign
/// with, Copilot's editor address and app login, and Kiro's machine account (a user, not an
/// app, so its noreply login has no `[bot]`).
#[test]
fn agent_identities_seen_in_2026_are_strong() {
    let cases = [
        ("Co-authored-by: Junie <junie@jetbrains.com>", "junie"),
        (
            "Co-authored-by: kiloconnect[bot] <240665456+kiloconnect[bot]@users.noreply.github.com>",
            "kilo-code",
        ),
        ("Co-authored-by: KiloCode <noreply@kilocode.ai>", "kilo-code"),
        ("Co-Authored-By: Gemini <noreply@google.com>", "gemini-cli"),
        (
            "Co-Authored-By: Amazon Q Developer <noreply@aws.amazon.com>",
            "amazon-q",
        ),
        (
            "Co-authored-by: opencode (DeepSeek V4.1 Flash) <noreply@opencode.ai>",
            "opencode",
        ),
        ("Co-authored-by: GitHub Copilot <copilot@github.com>", "copilot"),
        (
            "Co-authored-by: github-copilot[bot] <github-copilot[bot]@users.noreply.github.com>",
            "copilot",
        ),
        (
            "Co-authored-by: Kiro Agent <244629292+kiro-agent@users.noreply.github.com>",
            "kiro",
        ),
    ];
    for (trailer, agent) in cases {
        let a = change()
            .commit(ADA, &format!("Fix it\n\n{trailer}\n"))
            .run();
        assert!(a.detected, "{trailer}");
        assert_eq!(agents(&a), vec![agent], "{trailer}");
        assert!(
            signal(&a, SignalKind::Trailer, agent).is_some(),
            "{trailer}"
        );
        assert_eq!(a.operators.len(), 1, "{trailer}");
    }
}

#[test]
fn kiro_machine_account_authoring_a_commit_is_kiro() {
    let a = change()
        .commit(
            "Kiro Agent <244629292+kiro-agent@users.noreply.github.com>",
            "Implement spec\n\nCo-authored-by: Ada <ada@example.com>\n",
        )
        .run();
    assert_eq!(agents(&a), vec!["kiro"]);
    assert!(signal(&a, SignalKind::NoreplyEmail, "kiro").is_some());
    assert_eq!(a.operators.len(), 1);
}

#[test]
fn people_at_google_amazon_jetbrains_and_kilo_are_not_agents() {
    for trailer in [
        "Co-authored-by: Gemini Rossi <gemini.rossi@google.com>",
        "Co-authored-by: Q Lee <q@amazon.com>",
        "Co-authored-by: Junie Moon <junie.moon@jetbrains.com>",
        "Co-authored-by: Kim <kim@kilocode.ai>",
        "Co-authored-by: Kiro AI <kiro@example.com>",
        "Co-authored-by: GitHub Copilot <noreply@github.com>",
    ] {
        let a = change()
            .commit(ADA, &format!("Pair work\n\n{trailer}"))
            .run();
        assert!(!a.detected, "{trailer}");
    }
}

/// Amazon Q's footer shares a paragraph with its co-author line, so git reads no trailer
/// there; the footer names the agent where it opens its line, not in the middle of one.
#[test]
fn amazon_q_footer_names_amazon_q_where_it_opens_its_line() {
    let a = change()
        .commit(
            ADA,
            "Add stack\n\n🤖 Generated with Amazon Q Developer\n\
             Co-Authored-By: Amazon Q Developer <noreply@aws.amazon.com>\n",
        )
        .run();
    assert_eq!(agents(&a), vec!["amazon-q"]);
    assert!(signal(&a, SignalKind::MessageMarker, "amazon-q").is_some());
    assert_eq!(a.operators.len(), 1);
    let a = change()
        .commit(
            ADA,
            "Hooks\n\nRemove the Generated with Amazon Q Developer footer from messages.\n",
        )
        .run();
    assert!(!a.detected);
}

/// A Cursor background agent's pull request ends with links to its run; a squash merge
/// carries them into the commit. Cursor's docs or site named in prose are not a run.
#[test]
fn cursor_background_agent_run_links_name_cursor() {
    let footer =
        "<div><a href=\"https://cursor.com/agents/bc-3c405364-eb3b?cursor_ref=pr_footer\">\
                  <picture></picture></a>&nbsp;<a href=\"https://cursor.com/background-agent?\
                  bcId=bc-3c405364-eb3b&cursor_ref=pr_footer\">x</a></div>";
    let a = human_commit()
        .pr_body(&format!("Adds a policy.\n\n{footer}"))
        .run();
    assert_eq!(agents(&a), vec!["cursor"]);
    let a = change()
        .commit(ADA, &format!("Add policy (#10)\n\n{footer}\n"))
        .run();
    assert_eq!(agents(&a), vec!["cursor"]);
    let a = change()
        .commit(
            ADA,
            "Docs\n\nSee https://cursor.com/agents and https://cursor.com/docs.\n",
        )
        .run();
    assert!(!a.detected);
}

#[test]
fn people_at_an_agent_vendor_are_not_its_agent() {
    for trailer in [
        "Co-authored-by: Jane Doe <jane@block.xyz>",
        "Co-authored-by: Sam Lee <sam@augmentcode.com>",
        "Co-authored-by: Kai <kai@codeium.com>",
    ] {
        let a = change()
            .commit(ADA, &format!("Pair work\n\n{trailer}"))
            .run();
        assert!(!a.detected, "{trailer}");
    }
}

#[test]
fn co_authored_by_a_human_is_not_a_signal() {
    let a = change()
        .commit(
            ADA,
            "Pair work\n\nCo-authored-by: Grace <grace@example.com>",
        )
        .run();
    assert!(!a.detected);
    assert!(a.signals.is_empty());
}

#[test]
fn assisted_by_names_the_agent_before_its_model() {
    let cases = [
        ("Assisted-by: Claude:claude-opus-4", "claude-code"),
        ("Assisted-by: Cursor (Claude 4 Sonnet)", "cursor"),
        ("assisted-BY: OpenAI Codex", "codex"),
        ("Assisted-by: GitHub Copilot", "copilot"),
        ("Assisted-by: Gemini CLI", "gemini-cli"),
    ];
    for (trailer, agent) in cases {
        let a = change().commit(ADA, &format!("Fix\n\n{trailer}")).run();
        assert_eq!(agents(&a), vec![agent], "{trailer}");
        assert_eq!(
            signal(&a, SignalKind::Trailer, agent).map(|s| s.strength),
            Some(Strength::Strong)
        );
    }
}

#[test]
fn assisted_by_in_the_kernel_form_names_the_agent_before_the_colon() {
    let cases = [
        // Zed running a Claude model: the agent is Zed, not Claude Code.
        ("Assisted-by: Zed:claude-sonnet-4 coccinelle", "zed"),
        ("Assisted-by: Claude:claude-opus-4-5", "claude-code"),
        ("Assisted-by: GitHub Copilot:gpt-5", "copilot"),
    ];
    for (trailer, agent) in cases {
        let a = change().commit(ADA, &format!("Fix\n\n{trailer}")).run();
        assert_eq!(agents(&a), vec![agent], "{trailer}");
    }
}

#[test]
fn assisted_by_with_an_agent_address_is_strong() {
    let cases = [
        ("Assisted-by: Crush <crush@charm.land>", "crush"),
        ("Assisted-by: Claude <noreply@anthropic.com>", "claude-code"),
    ];
    for (trailer, agent) in cases {
        let a = change().commit(ADA, &format!("Fix\n\n{trailer}")).run();
        assert_eq!(agents(&a), vec![agent], "{trailer}");
        assert_eq!(
            signal(&a, SignalKind::Trailer, agent).map(|s| s.strength),
            Some(Strength::Strong)
        );
    }
}

#[test]
fn assisted_by_a_person_is_weak_and_names_no_operator() {
    // curl credits people with `Assisted-by:`; a person's address, or a bare name the
    // catalogue does not know, is not an agent, even when the first name is an agent's.
    for trailer in [
        "Assisted-by: Jay Satiro",
        "Assisted-by: Viktor Szakats <commit@vsz.me>",
        "Assisted-by: Jules Dupont <jules@example.org>",
        "Assisted-by: Claude Monet <claude@example.com>",
    ] {
        let a = change()
            .commit(
                ADA,
                &format!("lib: fix a leak\n\nReported-by: Bob\n{trailer}"),
            )
            .run();
        assert!(!a.detected, "{trailer}");
        assert!(a.agents.is_empty(), "{trailer}");
        assert!(a.operators.is_empty(), "{trailer}");
        let s = signal(&a, SignalKind::Trailer, "unknown").expect(trailer);
        assert_eq!(s.strength, Strength::Weak);
    }
}

#[test]
fn people_named_like_newer_agents_stay_human() {
    let a = change()
        .commit(
            "Warp Smith <warp@example.com>",
            "Tune\n\nCo-authored-by: Crush Fan <crush@example.com>\nCo-authored-by: Codex Team <codex@example.com>",
        )
        .commit(
            ADA,
            "docs: run opencode-agent[bot] with Codex <codex@openai.com> in CI",
        )
        .run();
    assert!(!a.detected);
    assert!(a.signals.is_empty());
}

#[test]
fn generated_by_an_unknown_tool_is_named_by_its_slug() {
    let cases = [
        ("Generated-by: FooBot 2.1 <bot@foo.example>", "foobot"),
        ("Generated-by: Acme Coder (gpt-5)", "acme-coder"),
        ("Generated-by: ???", "unknown"),
        ("Generated-by: Claude Code", "claude-code"),
    ];
    for (trailer, agent) in cases {
        let a = change().commit(ADA, &format!("Gen\n\n{trailer}")).run();
        assert!(a.detected, "{trailer}");
        assert_eq!(agents(&a), vec![agent], "{trailer}");
    }
}

#[test]
fn made_with_cursor_names_cursor() {
    let a = change().commit(ADA, "Tweak\n\nMade-with: Cursor").run();
    assert_eq!(agents(&a), vec!["cursor"]);
    assert_eq!(
        signal(&a, SignalKind::Trailer, "cursor").unwrap().evidence,
        "commit 1a2b3c4: Made-with: Cursor"
    );
}

#[test]
fn claude_session_trailer_names_claude_code() {
    let a = change()
        .commit(
            ADA,
            "Fix\n\nClaude-Session: https://claude.ai/code/session_01ABC",
        )
        .run();
    assert_eq!(agents(&a), vec!["claude-code"]);
    assert!(signal(&a, SignalKind::Trailer, "claude-code").is_some());
}

#[test]
fn agent_logs_url_is_named_by_its_host() {
    let copilot = change()
        .commit(
            ADA,
            "Fix\n\nAgent-Logs-Url: https://github.com/acme/api/sessions/31474705",
        )
        .run();
    assert_eq!(agents(&copilot), vec!["copilot"]);

    let unknown = change()
        .commit(ADA, "Fix\n\nAgent-Logs-Url: https://logs.example.net/run/7")
        .run();
    assert!(unknown.detected);
    assert_eq!(agents(&unknown), vec!["unknown"]);
}

#[test]
fn an_ordinary_trailer_is_not_a_signal() {
    let a = change()
        .commit(
            ADA,
            "Fix\n\nSigned-off-by: Ada <ada@example.com>\nReviewed-by: Grace <g@example.com>",
        )
        .run();
    assert!(a.signals.is_empty());
}

// ---- message and pull request markers -------------------------------------------------------

#[test]
fn generated_with_claude_code_marker_with_or_without_robot() {
    for line in [
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        "Generated with [Claude Code](https://claude.ai/code)",
    ] {
        let a = change().commit(ADA, &format!("Fix\n\n{line}\n")).run();
        assert_eq!(agents(&a), vec!["claude-code"], "{line}");
        let s = signal(&a, SignalKind::MessageMarker, "claude-code").unwrap();
        assert_eq!(s.evidence, format!("commit 1a2b3c4 message: {line}"));
    }
    let body = human_commit()
        .pr_body(
            "## Summary\n- fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        )
        .run();
    assert!(signal(&body, SignalKind::PullRequestMarker, "claude-code").is_some());
}

#[test]
fn a_marker_quoted_in_backticks_is_prose_not_a_mark() {
    let a = change()
        .commit(
            ADA,
            "docs: agent rules\n\nNever add the `Generated with [Claude Code]` footer.",
        )
        .pr_body("Drop `🤖 Generated with [Claude Code](https://claude.com/claude-code)` lines")
        .run();
    assert!(!a.detected);
    assert!(a.signals.is_empty());
    // The same footer outside backticks, on a line that also quotes code, still counts.
    let b = change()
        .commit(
            ADA,
            "Fix `parse`\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        )
        .run();
    assert_eq!(agents(&b), vec!["claude-code"]);
}

#[test]
fn a_footer_named_in_the_middle_of_a_sentence_or_quoted_is_prose_not_a_mark() {
    for prose in [
        "authorship: the 'Made with [Cursor]' footer went unseen",
        "Strip \"Generated with [Claude Code]\" from the template.",
        "We dropped Generated with [GitHub Copilot] lines last week.",
    ] {
        let a = change().commit(ADA, &format!("docs\n\n{prose}")).run();
        assert!(!a.detected, "{prose}");
    }
    // A sentence an agent writes, quoted, is talked about too.
    let quoted = change()
        .commit(
            ADA,
            "docs\n\nKiro's (\"created by @kiro-agent\") marks count anywhere.",
        )
        .run();
    assert!(!quoted.detected);
    // Opening its line, after an emoji or a bullet, it is the agent's footer.
    for footer in [
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        "- Made with [Cursor](https://cursor.com)",
    ] {
        let a = change().commit(ADA, &format!("Fix\n\n{footer}")).run();
        assert!(a.detected, "{footer}");
    }
}

#[test]
fn a_marker_shown_in_a_fenced_block_is_prose_not_a_mark() {
    for fence in ["```", "~~~", "````"] {
        let body = format!(
            "The footer agents leave:\n\n{fence}text\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n{fence}\n\nWe strip it."
        );
        let a = human_commit().pr_body(&body).run();
        assert!(!a.detected, "{fence}");
    }
    // A shorter or different fence does not close the block.
    let a = human_commit()
        .pr_body("````\n```\nMade with [Cursor](https://cursor.com)\n~~~~\n")
        .run();
    assert!(!a.detected);
    // After the block closes, the footer is the agent's again.
    let b = human_commit()
        .pr_body("```\nlog\n```\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)")
        .run();
    assert_eq!(agents(&b), vec!["claude-code"]);
    // Indented four spaces, a fence is text, not a fence.
    let c = human_commit()
        .pr_body("    ```\n🤖 Generated with [Claude Code](https://claude.com/claude-code)")
        .run();
    assert_eq!(agents(&c), vec!["claude-code"]);
}

#[test]
fn copilot_and_cursor_footers_in_bodies_are_markers() {
    let copilot = human_commit()
        .pr_body("## Summary\n- tidy\n\n🤖 Generated with [GitHub Copilot](https://github.com/features/copilot)")
        .run();
    assert_eq!(agents(&copilot), vec!["copilot"]);
    let cursor = change()
        .commit(ADA, "docs: tidy\n\nMade with [Cursor](https://cursor.com)")
        .run();
    assert_eq!(agents(&cursor), vec!["cursor"]);
    assert!(signal(&cursor, SignalKind::MessageMarker, "cursor").is_some());
    // Naming the tools in prose is not their footer.
    let prose = human_commit()
        .pr_body("Tested with GitHub Copilot and Cursor; made with care.")
        .run();
    assert!(!prose.detected);
}

#[test]
fn co_author_trailer_above_a_cherry_pick_note_is_read() {
    let a = change()
        .commit(
            ADA,
            "Fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n(cherry picked from commit 0123abc)",
        )
        .run();
    assert_eq!(agents(&a), vec!["cursor"]);
    let crlf = change()
        .commit(
            ADA,
            "Fix\r\n\r\nCo-Authored-By: Claude <noreply@anthropic.com>\r\n",
        )
        .run();
    assert_eq!(agents(&crlf), vec!["claude-code"]);
    // A human co-author behind the same note is still just a human.
    let human = change()
        .commit(
            ADA,
            "Fix\n\nCo-authored-by: Bo Chen <bo@example.com>\n(cherry picked from commit 0123abc)",
        )
        .run();
    assert!(!human.detected);
    assert!(human.signals.is_empty());
}

#[test]
fn devin_session_link_in_body_is_a_marker() {
    let a = human_commit()
        .pr_body(
            "Link to Devin run: https://app.devin.ai/sessions/8ab66be5433e4d41\nRequested by: @ada",
        )
        .run();
    assert_eq!(agents(&a), vec!["devin"]);
    let s = signal(&a, SignalKind::PullRequestMarker, "devin").unwrap();
    assert_eq!(
        s.evidence,
        "pull request body: Link to Devin run: https://app.devin.ai/sessions/8ab66be5433e4d41"
    );
}

#[test]
fn opencode_action_commit_names_opencode_and_the_commenter_as_operator() {
    // OpenCode's action commits as its app, without an account id in the address, and
    // credits whoever asked with a co-author line; the pull request links the session.
    let a = change()
        .branch("opencode/pr34-20250601_101500")
        .commit(
            "opencode-agent[bot] <opencode-agent[bot]@users.noreply.github.com>",
            "Fix the flaky test\n\nCo-authored-by: ada <ada@users.noreply.github.com>",
        )
        .pr_body("Fixed the flaky test.\n\n[view session](https://opencode.ai/s/4XP1fce5) | [view log](/o/r/actions/runs/1)")
        .run();
    assert_eq!(agents(&a), vec!["opencode"]);
    assert!(signal(&a, SignalKind::NoreplyEmail, "opencode").is_some());
    assert!(signal(&a, SignalKind::PullRequestMarker, "opencode").is_some());
    assert_eq!(operator_logins(&a), vec!["ada"]);
}

#[test]
fn opencode_named_in_prose_is_not_a_mark() {
    let a = human_commit()
        .pr_body("Adds an `opencode.ai/s/<id>` parser; see the opencode docs.")
        .run();
    assert!(!a.detected);
}

#[test]
fn codex_task_link_is_a_marker_in_messages_and_bodies() {
    let in_body = human_commit()
        .pr_body("Summary\n\nhttps://chatgpt.com/codex/tasks/task_e_68a1")
        .run();
    assert_eq!(agents(&in_body), vec!["codex"]);
    let in_message = change()
        .commit(
            ADA,
            "Fix\n\nTask: https://chatgpt.com/codex/tasks/task_e_68a1 done",
        )
        .run();
    assert!(signal(&in_message, SignalKind::MessageMarker, "codex").is_some());
}

#[test]
fn kiro_on_behalf_of_marker_names_kiro_and_its_operator() {
    let a = human_commit()
        .pr_body("This pull request was created by @kiro-agent on behalf of @yiling-ui :ghost:")
        .run();
    assert_eq!(agents(&a), vec!["kiro"]);
    assert_eq!(operator_logins(&a), vec!["yiling-ui"]);
    assert_eq!(
        a.operators[0].evidence,
        "pull request body: on behalf of @yiling-ui"
    );
}

#[test]
fn jules_task_link_names_jules_and_started_by_names_operator() {
    let a = human_commit()
        .pr_body("---\n*PR created automatically by Jules for task [123](https://jules.google.com/task/123) started by @arii*")
        .run();
    assert_eq!(agents(&a), vec!["jules"]);
    assert_eq!(operator_logins(&a), vec!["arii"]);
    assert_eq!(
        a.operators[0].evidence,
        "pull request body: started by @arii"
    );
}

#[test]
fn marker_in_pull_request_title_is_seen() {
    let a = human_commit()
        .pr_title("Fix cache (https://chatgpt.com/codex/tasks/task_1)")
        .run();
    let s = signal(&a, SignalKind::PullRequestMarker, "codex").unwrap();
    assert!(s.evidence.starts_with("pull request title: "));
}

#[test]
fn aider_author_name_is_strong_and_names_its_operator() {
    let a = change()
        .commit("Ada Lovelace (aider) <ada@example.com>", "feat: add parser")
        .run();
    assert!(a.detected);
    assert_eq!(agents(&a), vec!["aider"]);
    let s = signal(&a, SignalKind::AuthorName, "aider").unwrap();
    assert_eq!(s.strength, Strength::Strong);
    assert_eq!(a.operators.len(), 1);
    assert_eq!(a.operators[0].name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        a.operators[0].email.as_ref().map(Email::as_str),
        Some("ada@example.com")
    );
}

#[test]
fn aider_subject_prefix_is_strong_and_names_its_operator() {
    let a = change()
        .commit(
            "Ada Lovelace <ada@example.com>",
            "aider: Added retry to the uploader",
        )
        .run();
    assert_eq!(agents(&a), vec!["aider"]);
    let s = signal(&a, SignalKind::MessageMarker, "aider").unwrap();
    assert_eq!(s.strength, Strength::Strong);
    assert_eq!(
        s.evidence,
        "commit 1a2b3c4 subject: aider: Added retry to the uploader"
    );
    assert_eq!(a.operators.len(), 1);
    assert_eq!(a.operators[0].name.as_deref(), Some("Ada Lovelace"));
    // Anywhere but the subject's start, or without its colon, it is someone naming the tool.
    for message in [
        "docs: how to use aider: a guide",
        "Aider support\n\naider: is configured in .aider.conf.yml",
        "aider config tweaks",
    ] {
        let b = change().commit(ADA, message).run();
        assert!(!b.detected, "{message}");
    }
}

// ---- weak signals ---------------------------------------------------------------------------

#[test]
fn committer_only_aider_is_weak_and_does_not_detect() {
    let a = change()
        .commit_by(ADA, "Ada Lovelace (aider) <ada@example.com>", "Rebased")
        .run();
    assert!(!a.detected);
    assert!(a.agents.is_empty());
    let s = signal(&a, SignalKind::AuthorName, "aider").unwrap();
    assert_eq!(s.strength, Strength::Weak);
    assert!(a.operators.is_empty());
}

#[test]
fn accepted_review_suggestion_is_weak_and_does_not_detect() {
    let a = change()
        .commit_by(
            ADA,
            WEB_FLOW,
            "Apply suggestions from code review\n\nCo-authored-by: Grace Hopper <2002+grace@users.noreply.github.com>",
        )
        .run();
    assert!(!a.detected);
    assert!(a.agents.is_empty());
    assert_eq!(a.signals.len(), 1);
    assert_eq!(a.signals[0].strength, Strength::Weak);
    assert_eq!(
        a.signals[0].evidence,
        "commit 1a2b3c4 committer: GitHub <noreply@github.com>: Apply suggestions from code review"
    );
    // The suggester wrote part of the change and so took part in it.
    assert!(a
        .participants
        .iter()
        .any(|p| p.login.as_ref().map(Login::as_str) == Some("grace") && p.role == "co-author"));
}

#[test]
fn web_flow_commit_without_a_suggestion_is_not_a_signal() {
    let a = change().commit_by(ADA, WEB_FLOW, "Update README.md").run();
    assert!(a.signals.is_empty());
}

// ---- operators ------------------------------------------------------------------------------

#[test]
fn human_co_author_of_an_agent_commit_is_the_operator() {
    let a = change()
        .branch("copilot/fix-login")
        .commit(
            "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
            "Fix login\n\nAgent-Logs-Url: https://github.com/acme/api/sessions/1\n\nCo-authored-by: ada <1001+ada@users.noreply.github.com>",
        )
        .pr_author("Copilot", AccountType::Bot)
        .run();
    assert_eq!(agents(&a), vec!["copilot"]);
    assert_eq!(operator_logins(&a), vec!["ada"]);
    assert_eq!(
        a.operators[0].evidence,
        "commit 1a2b3c4: Co-authored-by: ada <1001+ada@users.noreply.github.com>"
    );
}

#[test]
fn human_author_of_a_commit_co_authored_by_an_agent_is_the_operator() {
    let a = change()
        .commit(ADA, "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>")
        .run();
    assert_eq!(operator_logins(&a), vec!["ada"]);
    assert!(a.operators[0]
        .evidence
        .starts_with("commit 1a2b3c4 author: Ada Lovelace"));
}

#[test]
fn requested_by_names_the_operator() {
    let a = human_commit()
        .pr_author("devin-ai-integration[bot]", AccountType::Bot)
        .pr_body("Link to Devin run: https://app.devin.ai/sessions/1\nRequested by: @ada")
        .run();
    assert_eq!(a.operators.len(), 1);
    assert_eq!(a.operators[0].login, Some(Login::new("ada")));
    assert_eq!(
        a.operators[0].evidence,
        "pull request body: Requested by: @ada"
    );
}

#[test]
fn requested_by_with_name_and_login_or_address() {
    let with_login = change()
        .branch("devin/1-x")
        .pr_body("- Requested by: Nick Tringali (@nicktringali)")
        .run();
    let op = &with_login.operators[0];
    assert_eq!(op.login, Some(Login::new("nicktringali")));
    assert_eq!(op.name.as_deref(), Some("Nick Tringali"));
    assert_eq!(
        op.evidence,
        "pull request body: Requested by: Nick Tringali (@nicktringali)"
    );

    let with_email = change()
        .branch("devin/1-x")
        .pr_body("Requested by: Ada Lovelace (ada@example.com)")
        .run();
    let op = &with_email.operators[0];
    assert_eq!(op.login, None);
    assert_eq!(op.email, Some(Email::new("ada@example.com")));
    assert_eq!(op.name.as_deref(), Some("Ada Lovelace"));
}

#[test]
fn requested_by_a_bot_is_not_an_operator() {
    let a = change()
        .branch("devin/1-x")
        .pr_body("Requested by: @devin-ai-integration[bot]")
        .run();
    assert!(a.operators.is_empty());
}

#[test]
fn human_pull_request_author_of_agent_work_is_the_operator() {
    let a = change()
        .branch("claude/fix-db")
        .commit("Claude <noreply@anthropic.com>", "Fix db")
        .pr_author("ada", AccountType::User)
        .run();
    assert_eq!(operator_logins(&a), vec!["ada"]);
    assert!(a.operators[0]
        .evidence
        .starts_with("pull request author: ada"));
}

#[test]
fn no_operators_without_an_agent() {
    let a = human_commit()
        .pr_author("ada", AccountType::User)
        .pr_body("Requested by: @pm started by @lead")
        .run();
    assert!(!a.detected);
    assert!(a.operators.is_empty());
}

#[test]
fn the_same_operator_from_several_sources_is_listed_once() {
    let a = change()
        .branch("devin/1-x")
        .commit(
            "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            "Fix\n\nCo-authored-by: Ada <1001+ada@users.noreply.github.com>",
        )
        .pr_author("ADA", AccountType::User)
        .pr_body("Requested by: @ada")
        .run();
    assert_eq!(a.operators.len(), 1, "{:?}", a.operators);
    assert_eq!(
        a.operators[0].evidence,
        "pull request body: Requested by: @ada"
    );
    assert_eq!(
        a.operators[0].email,
        Some(Email::new("1001+ada@users.noreply.github.com"))
    );
}

// ---- dependency bots ------------------------------------------------------------------------

#[test]
fn dependabot_is_a_dependency_bot_not_an_agent() {
    let a = change()
        .branch("dependabot/npm_and_yarn/lodash-4.17.21")
        .commit(
            "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
            "Bump lodash from 4.17.20 to 4.17.21\n\nSigned-off-by: dependabot[bot] <support@github.com>",
        )
        .pr_author("dependabot[bot]", AccountType::Bot)
        .run();
    assert!(!a.detected);
    assert!(a.agents.is_empty());
    assert_eq!(a.dependency_bots, vec!["dependabot"]);
    assert!(a.signals.len() >= 3);
    assert!(a
        .signals
        .iter()
        .all(|s| s.kind == SignalKind::DependencyBot));
    assert!(a.operators.is_empty());
}

#[test]
fn renovate_is_a_dependency_bot_not_an_agent() {
    let a = change()
        .branch("renovate/react-monorepo")
        .commit(
            "Renovate Bot <bot@renovateapp.com>",
            "chore(deps): update react",
        )
        .pr_author("renovate[bot]", AccountType::Bot)
        .run();
    assert!(!a.detected);
    assert_eq!(a.dependency_bots, vec!["renovate"]);
    assert!(a
        .signals
        .iter()
        .all(|s| s.kind == SignalKind::DependencyBot));
}

#[test]
fn dependency_bot_named_in_a_generated_by_trailer_is_not_an_agent() {
    let a = change()
        .commit(ADA, "Bump\n\nGenerated-by: Dependabot")
        .run();
    assert!(!a.detected);
    assert_eq!(a.dependency_bots, vec!["dependabot"]);
}

// ---- humans and participants ------------------------------------------------------------------

#[test]
fn plain_human_change_is_not_detected_and_has_no_signals() {
    let a = change()
        .branch("feature/login")
        .commit(ADA, "Fix login\n\nFixes #12")
        .pr_author("ada", AccountType::User)
        .pr_title("Fix login")
        .pr_body("Fixes #12. Tested locally.")
        .run();
    assert!(!a.detected);
    assert!(a.signals.is_empty());
    assert!(a.agents.is_empty());
    assert!(a.dependency_bots.is_empty());
    assert!(a.operators.is_empty());
    // The pull request author and the commit's noreply login are the same person.
    assert_eq!(a.participants.len(), 1);
    assert_eq!(a.participants[0].role, "pull request author");
    assert_eq!(a.participants[0].name.as_deref(), Some("Ada Lovelace"));
}

#[test]
fn participants_list_everyone_but_the_web_flow_committer() {
    let a = change()
        .commit_by(
            "Grace <grace@example.com>",
            WEB_FLOW,
            "Apply suggestion from @ada\n\nCo-authored-by: Ada <ada@example.com>\nCo-authored-by: Claude <noreply@anthropic.com>",
        )
        .commit_by("Grace <GRACE@example.com>", "Linus <linus@example.com>", "Rebase")
        .pr_author("grace", AccountType::User)
        .run();
    let roles: Vec<(Option<&str>, &str)> = a
        .participants
        .iter()
        .map(|p| (p.email.as_ref().map(Email::as_str), p.role.as_str()))
        .collect();
    assert_eq!(
        roles,
        vec![
            (None, "pull request author"),
            (Some("grace@example.com"), "commit author"),
            (Some("ada@example.com"), "co-author"),
            (
                Some("noreply@anthropic.com"),
                "co-author: the agent claude-code's own identity, not a person"
            ),
            (Some("linus@example.com"), "committer"),
        ]
    );
    assert!(a
        .participants
        .iter()
        .all(|p| p.email.as_ref().map(Email::as_str) != Some("noreply@github.com")));
}

// ---- configuration and aggregation ------------------------------------------------------------

#[test]
fn agent_added_in_config_is_detected() {
    let spec: AgentSpec = serde_json::from_str(
        r#"{"name": "acme-coder", "branch_prefixes": ["acme/"], "logins": ["acme-coder[bot]"]}"#,
    )
    .unwrap();
    let catalogue = AgentCatalogue::builtin().with_extra(vec![spec]);
    let c = human_commit().branch("acme/fix-1").change;
    assert!(!detect(&c, &AgentCatalogue::builtin()).detected);
    let a = detect(&c, &catalogue);
    assert_eq!(agents(&a), vec!["acme-coder"]);

    let by_login = human_commit()
        .pr_author("Acme-Coder[bot]", AccountType::Bot)
        .change;
    assert_eq!(agents(&detect(&by_login, &catalogue)), vec!["acme-coder"]);
}

#[test]
fn blank_patterns_from_config_match_nothing() {
    let catalogue = AgentCatalogue::builtin().with_extra(vec![AgentSpec {
        name: "blank".into(),
        branch_prefixes: vec![String::new()],
        logins: vec![" ".into()],
        emails: vec![String::new()],
        names: vec![String::new()],
        name_suffixes: vec![String::new()],
        markers: vec![String::new()],
        subject_prefixes: vec![" ".into()],
        trailer_keys: vec![String::new()],
        url_hosts: vec![String::new()],
        ..AgentSpec::default()
    }]);
    let c = human_commit()
        .branch("feature/x")
        .pr_author("ada", AccountType::User)
        .change;
    assert!(detect(&c, &catalogue).signals.is_empty());
}

#[test]
fn agents_are_sorted_unique_and_from_strong_signals_only() {
    let a = change()
        .branch("claude/fix-db")
        .commit(ADA, "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>")
        .commit(
            ADA,
            "More\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        )
        .commit_by(ADA, "Ada (aider) <ada@example.com>", "Rebased")
        .pr_body("See https://chatgpt.com/codex/tasks/task_9")
        .run();
    assert_eq!(agents(&a), vec!["claude-code", "codex"]);
    assert!(signal(&a, SignalKind::AuthorName, "aider").is_some());
}

#[test]
fn identical_evidence_is_reported_once() {
    let a = change()
        .commit(
            ADA,
            "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Claude <noreply@anthropic.com>",
        )
        .run();
    assert_eq!(a.signals.len(), 1);
}

#[test]
fn long_or_multiline_evidence_is_one_bounded_line() {
    let long = format!("claude/{}", "x".repeat(500));
    let a = human_commit().branch(&format!("{long}\nsecond")).run();
    let e = &a.signals[0].evidence;
    assert!(!e.contains('\n'));
    assert!(e.chars().count() <= EXCERPT_CHARS + "branch ".len() + 1);
}

proptest! {
    #[test]
    fn detect_never_panics_and_stays_consistent(
        branch in "\\PC{0,40}",
        subject in "\\PC{0,40}",
        key in "[A-Za-z-]{1,20}",
        value in "\\PC{0,60}",
        body in "\\PC{0,200}",
        name in "\\PC{0,20}",
        email in "\\PC{0,30}",
        login in "\\PC{0,20}",
        bot in any::<bool>(),
    ) {
        let message = format!("{subject}\n\n{body}\n\n{key}: {value}\nCo-authored-by: {name} <{email}>");
        let c = change()
            .branch(&branch)
            .commit(&format!("{name} <{email}>"), &message)
            .commit_by(&format!("{name} (aider) <{email}>"), WEB_FLOW, &body)
            .pr_author(&login, if bot { AccountType::Bot } else { AccountType::User })
            .pr_title(&subject)
            .pr_body(&format!("{body}\nRequested by: {value}\non behalf of @{login}"))
            .change;
        let a = detect(&c, &AgentCatalogue::builtin());
        prop_assert_eq!(a.detected, a.signals.iter().any(|s| s.strength == Strength::Strong && s.kind != SignalKind::DependencyBot));
        prop_assert_eq!(a.detected, !a.agents.is_empty());
        let mut sorted = a.agents.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&sorted, &a.agents);
        prop_assert!(a.detected || a.operators.is_empty());
        for s in &a.signals {
            prop_assert!(!s.evidence.contains('\n'));
            prop_assert!(!s.agent.is_empty());
        }
        for p in &a.participants {
            prop_assert!(p.email.as_ref().is_none_or(|e| !e.eq_ignore_case(&Email::new(WEB_FLOW_EMAIL))));
        }
    }
}
