//! scope: where a piece of application code or config runs, told from its path and from the
//! profile a settings document names. Test code and test profiles never touch a deployed
//! database, so they are not reviewed at all; a development profile is reviewed but ranks
//! low; everything else is taken to run in production.

/// Where a file (or one document of it) takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// Tests, fixtures, test profiles (they run against throwaway databases), and
    /// documentation (never run).
    Test,
    /// A development or local profile (`application-dev.yml`, `.env.local`).
    Dev,
    /// No profile: the default configuration, which production runs unless told otherwise.
    Default,
    /// A production profile (`application-prod.yml`, `.env.production`).
    Prod,
}

/// Directory names that hold tests, fixtures and documentation, never deployed code.
const TEST_DIRS: &[&str] = &[
    "docs",
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testing",
    "e2e",
    "fixtures",
    "__fixtures__",
    "testdata",
    "__mocks__",
    "cypress",
    "playwright",
];

/// Words of a profile or file name that mean tests.
const TEST_WORDS: &[&str] = &["test", "tests", "testing", "spec", "e2e", "it", "ci"];
/// Words that mean a developer's machine.
const DEV_WORDS: &[&str] = &[
    "dev",
    "development",
    "develop",
    "local",
    "localhost",
    "h2",
    "example",
    "sample",
    "template",
    "dist",
    "override",
];
/// Words that mean production.
const PROD_WORDS: &[&str] = &["prod", "production", "prd", "live"];

impl Scope {
    /// The scope of a file by its path: test directories and test file names first, then a
    /// profile in the file name (`application-dev.yml`, `.env.production`,
    /// `docker-compose.override.yml`).
    pub(crate) fn of_path(path: &str) -> Scope {
        let lower = path.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').collect();
        let name = parts.pop().unwrap_or("");
        let test_dir = parts.iter().any(|dir| {
            TEST_DIRS.contains(dir)
                // .NET and Java test projects: `Shop.Tests`, `Shop.IntegrationTests`,
                // `shop-it`.
                || [".tests", ".test", "-tests", "_tests", "integrationtests", "unittests", "functionaltests", "-it"]
                    .iter()
                    .any(|end| dir.ends_with(end))
        });
        if test_dir || is_test_file_name(name) {
            return Scope::Test;
        }
        // Stem words: `application-dev.yml` is `application`, `dev`; `.env.production` is
        // `env`, `production`.
        let stem = name.rsplit_once('.').map_or(name, |(stem, ext)| {
            // `.env.local`: the profile is the "extension".
            if stem == ".env" || stem.starts_with(".env.") || ext.is_empty() {
                name
            } else {
                stem
            }
        });
        Scope::of_words(stem)
    }

    /// The scope a profile expression names (`dev`, `local | h2`, `!prod`); [`Scope::Default`]
    /// when it names none of the known words or negates one.
    pub(crate) fn of_profile(expr: &str) -> Scope {
        if expr.contains('!') {
            return Scope::Default;
        }
        Scope::of_words(&expr.to_ascii_lowercase())
    }

    fn of_words(text: &str) -> Scope {
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let any = |set: &[&str]| words.iter().any(|w| set.contains(w));
        if any(PROD_WORDS) {
            Scope::Prod
        } else if any(TEST_WORDS) {
            Scope::Test
        } else if any(DEV_WORDS) {
            Scope::Dev
        } else {
            Scope::Default
        }
    }
}

/// Test files by the naming conventions of their test runners.
fn is_test_file_name(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    name == "conftest.py"
        || name.ends_with("_test.go")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || name.starts_with("test_") && name.ends_with(".py")
        || name.ends_with("_test.py")
        || [".test", ".spec", ".e2e-spec", ".e2e", ".cy"]
            .iter()
            .any(|s| stem.ends_with(s))
        || stem.starts_with("setuptests")
        || stem.starts_with("jest.setup")
        || stem.starts_with("vitest.setup")
        // JUnit, xUnit, PHPUnit: `UserServiceTest.java`, `OrderTests.cs`, `UserTest.php`,
        // `OrderRepositoryIT.java` (the file name keeps its case for `IT`).
        || ["test", "tests"].iter().any(|s| stem.ends_with(s)) && !stem.ends_with("latest")
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn tests_fixtures_and_test_profiles_are_test_scope() {
        for path in [
            "src/test/resources/application.yml",
            "tests/conftest.py",
            "conftest.py",
            "internal/db/db_test.go",
            "src/users/users.service.spec.ts",
            "apps/api/test/app.e2e-spec.ts",
            "src/main/resources/application-test.yml",
            "src/Shop.IntegrationTests/Fixture.cs",
            "app/test_models.py",
            ".env.test",
            "spec/support/db.rb",
            "src/main/java/shop/OrderServiceTest.java",
        ] {
            assert_eq!(Scope::of_path(path), Scope::Test, "{path}");
        }
    }

    #[test]
    fn profiles_in_file_names_set_the_scope_and_the_rest_is_default() {
        let cases = [
            ("src/main/resources/application-dev.yml", Scope::Dev),
            (
                "src/main/resources/application-local.properties",
                Scope::Dev,
            ),
            (".env.local", Scope::Dev),
            (".env.example", Scope::Dev),
            ("src/main/resources/application-prod.yml", Scope::Prod),
            (".env.production", Scope::Prod),
            ("src/main/resources/application.yml", Scope::Default),
            (".env", Scope::Default),
            ("src/data-source.ts", Scope::Default),
            ("src/latest.ts", Scope::Default),
            ("src/contest/app.py", Scope::Default),
            ("src/devices/app.py", Scope::Default),
        ];
        for (path, scope) in cases {
            assert_eq!(Scope::of_path(path), scope, "{path}");
        }
        assert_eq!(Scope::of_profile("local | h2"), Scope::Dev);
        assert_eq!(Scope::of_profile("!prod"), Scope::Default);
        assert_eq!(Scope::of_profile("test"), Scope::Test);
        assert_eq!(Scope::of_profile("staging"), Scope::Default);
    }
}
