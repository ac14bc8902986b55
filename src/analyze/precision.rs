//! Precision across every analyzer: the edits a reviewer makes all day (adding things,
//! commenting, reformatting, reordering, moving a file as it is) must never be called
//! destructive. Noise teaches people to ignore the bot, so this is checked for every ecosystem
//! at once, through [`analyze_file`], the way the engine calls the analyzers.

use super::analyze_file;
use super::files::testkit::Case;
use crate::finding::{Finding, Tag};

/// One fixture per ecosystem: its path, a base text, the same text with an object added, with
/// a comment added, and reordered (`None` where the format has no order-free notion).
struct Fixture {
    path: &'static str,
    base: &'static str,
    added: &'static str,
    commented: &'static str,
    reordered: Option<&'static str>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        path: "infra/db.tf",
        base: "resource \"aws_db_instance\" \"main\" {\n  identifier          = \"orders\"\n  deletion_protection = true\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
        added: "resource \"aws_db_instance\" \"main\" {\n  identifier          = \"orders\"\n  deletion_protection = true\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n\nresource \"aws_sqs_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n",
        commented: "# the orders database\nresource \"aws_db_instance\" \"main\" {\n  identifier          = \"orders\" # do not rename\n  deletion_protection = true\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
        reordered: Some("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n\nresource \"aws_db_instance\" \"main\" {\n  deletion_protection = true\n  identifier          = \"orders\"\n}\n"),
    },
    Fixture {
        path: "deploy/app.yaml",
        base: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  replicas: 1\n",
        added: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  replicas: 1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n",
        commented: "# shop namespace\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop # owned by team shop\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  replicas: 1\n",
        reordered: Some("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  namespace: shop\n  name: db\nspec:\n  replicas: 1\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"),
    },
    Fixture {
        path: "template.yaml",
        base: "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n    Properties:\n      DBInstanceIdentifier: orders\n      DeletionProtection: true\n  Logs:\n    Type: AWS::S3::Bucket\n",
        added: "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n    Properties:\n      DBInstanceIdentifier: orders\n      DeletionProtection: true\n  Logs:\n    Type: AWS::S3::Bucket\n  Jobs:\n    Type: AWS::SQS::Queue\n",
        commented: "AWSTemplateFormatVersion: '2010-09-09'\n# the orders stack\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot # keep a snapshot\n    Properties:\n      DBInstanceIdentifier: orders\n      DeletionProtection: true\n  Logs:\n    Type: AWS::S3::Bucket\n",
        reordered: Some("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Db:\n    DeletionPolicy: Snapshot\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DeletionProtection: true\n      DBInstanceIdentifier: orders\n"),
    },
    Fixture {
        path: "db/migrations/V2__orders.sql",
        base: "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric(10, 2);\n",
        added: "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric(10, 2);\nCREATE INDEX orders_total ON orders (total);\n",
        commented: "-- orders\nCREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric(10, 2); -- money\n",
        reordered: None,
    },
    Fixture {
        path: ".github/workflows/deploy.yml",
        base: "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: terraform apply tfplan\n",
        added: "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: terraform apply tfplan\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform fmt -check\n",
        commented: "# deploys on push\non: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production # reviewers required\n    steps:\n      - run: terraform apply tfplan\n",
        reordered: Some("on: push\njobs:\n  deploy:\n    environment: production\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform apply tfplan\npermissions:\n  contents: read\n"),
    },
    Fixture {
        path: "Pulumi.yaml",
        base: "name: shop\nruntime: yaml\nresources:\n  db:\n    type: aws:rds:Instance\n    options:\n      protect: true\n  logs:\n    type: aws:s3:BucketV2\n",
        added: "name: shop\nruntime: yaml\nresources:\n  db:\n    type: aws:rds:Instance\n    options:\n      protect: true\n  logs:\n    type: aws:s3:BucketV2\n  jobs:\n    type: aws:sqs:Queue\n",
        commented: "name: shop\nruntime: yaml\n# the shop's resources\nresources:\n  db:\n    type: aws:rds:Instance\n    options:\n      protect: true # never delete\n  logs:\n    type: aws:s3:BucketV2\n",
        reordered: Some("name: shop\nruntime: yaml\nresources:\n  logs:\n    type: aws:s3:BucketV2\n  db:\n    options:\n      protect: true\n    type: aws:rds:Instance\n"),
    },
    Fixture {
        path: "playbooks/db.yml",
        base: "- hosts: db\n  tasks:\n    - community.postgresql.postgresql_db:\n        name: orders\n        state: present\n",
        added: "- hosts: db\n  tasks:\n    - community.postgresql.postgresql_db:\n        name: orders\n        state: present\n    - ansible.builtin.file:\n        path: /srv/backups\n        state: directory\n",
        commented: "# database hosts\n- hosts: db\n  tasks:\n    - community.postgresql.postgresql_db: # the orders database\n        name: orders\n        state: present\n",
        reordered: None,
    },
    Fixture {
        path: "shop/migrations/0002_orders.py",
        base: "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.AddField(model_name=\"order\", name=\"total\", field=models.IntegerField(default=0)),\n    ]\n",
        added: "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.AddField(model_name=\"order\", name=\"total\", field=models.IntegerField(default=0)),\n        migrations.AddField(model_name=\"order\", name=\"note\", field=models.TextField(default=\"\")),\n    ]\n",
        commented: "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    # the order total, in cents\n    operations = [\n        migrations.AddField(model_name=\"order\", name=\"total\", field=models.IntegerField(default=0)),  # cents\n    ]\n",
        reordered: None,
    },
    Fixture {
        path: "prisma/schema.prisma",
        base: "model Order {\n  id    Int @id\n  total Int\n}\n\nmodel Customer {\n  id   Int    @id\n  name String\n}\n",
        added: "model Order {\n  id    Int @id\n  total Int\n  note  String?\n}\n\nmodel Customer {\n  id   Int    @id\n  name String\n}\n\nmodel Invoice {\n  id Int @id\n}\n",
        commented: "// orders\nmodel Order {\n  id    Int @id\n  total Int // cents\n}\n\nmodel Customer {\n  id   Int    @id\n  name String\n}\n",
        reordered: Some("model Customer {\n  name String\n  id   Int    @id\n}\n\nmodel Order {\n  id    Int @id\n  total Int\n}\n"),
    },
    Fixture {
        path: "deploy/kustomization.yaml",
        base: "resources:\n  - app.yaml\n  - db/\n",
        added: "resources:\n  - app.yaml\n  - db/\n  - monitoring/\n",
        commented: "# everything in the shop\nresources:\n  - app.yaml # the web app\n  - db/\n",
        reordered: Some("resources:\n  - ./db\n  - app.yaml\n"),
    },
    Fixture {
        path: "argocd/apps/shop.yaml",
        base: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n  finalizers:\n    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.com/deploy.git\n    path: apps/shop\n    targetRevision: HEAD\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n  syncPolicy:\n    automated:\n      prune: true\n",
        added: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n  finalizers:\n    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.com/deploy.git\n    path: apps/shop\n    targetRevision: v1.4.0\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n  syncPolicy:\n    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: shop\n  namespace: argocd\n",
        commented: "# the shop, synced from the deploy repository\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n  finalizers:\n    - resources-finalizer.argocd.argoproj.io # cascade on delete\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.com/deploy.git\n    path: apps/shop\n    targetRevision: HEAD\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n  syncPolicy:\n    automated:\n      prune: true\n",
        // Flow style, keys reordered, and the path and repository respelled.
        reordered: Some("kind: Application\napiVersion: argoproj.io/v1alpha1\nmetadata: {namespace: argocd, name: shop, finalizers: [resources-finalizer.argocd.argoproj.io]}\nspec:\n  syncPolicy: {automated: {prune: true}}\n  destination: {namespace: shop, server: \"https://kubernetes.default.svc\"}\n  source: {repoURL: \"https://git.example.com/deploy\", path: ./apps/shop/, targetRevision: HEAD}\n  project: default\n"),
    },
    Fixture {
        path: "deploy/shop/Chart.yaml",
        base: "apiVersion: v2\nname: shop\nversion: 1.2.0\ndependencies:\n  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n  - name: common\n    version: 2.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        added: "apiVersion: v2\nname: shop\nversion: 1.3.0\ndependencies:\n  - name: postgresql\n    version: 16.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n  - name: common\n    version: 2.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n  - name: redis\n    version: 19.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        commented: "apiVersion: v2\nname: shop # the storefront\nversion: 1.2.0\ndependencies:\n  # the orders database\n  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n  - name: common\n    version: 2.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        reordered: Some("name: shop\napiVersion: v2\nversion: 1.2.0\ndependencies:\n  - {name: common, version: 2.x.x, repository: \"oci://registry-1.docker.io/bitnamicharts\"}\n  - {name: postgresql, version: 15.x.x, repository: \"oci://registry-1.docker.io/bitnamicharts\"}\n"),
    },
    Fixture {
        path: ".github/actions/deploy/action.yml",
        base: "name: deploy\nruns:\n  using: composite\n  steps:\n    - run: helm upgrade --install shop ./chart\n      shell: bash\n",
        added: "name: deploy\ninputs:\n  tag:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: helm upgrade --install shop ./chart --set image.tag=${{ inputs.tag }}\n      shell: bash\n    - run: kubectl rollout status deploy/shop\n      shell: bash\n",
        commented: "# deploys the shop\nname: deploy\nruns:\n  using: composite\n  steps:\n    - run: helm upgrade --install shop ./chart # idempotent\n      shell: bash\n",
        reordered: Some("runs:\n  steps:\n    - shell: bash\n      run: helm upgrade --install shop ./chart\n  using: composite\nname: deploy\n"),
    },
    Fixture {
        path: "charts/shop/templates/db.yaml",
        base: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n  serviceName: {{ include \"shop.fullname\" . }}-db\n  replicas: {{ .Values.db.replicas }}\n  selector:\n    matchLabels:\n      app: {{ .Values.db.name }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\nspec:\n  clusterIP: None\n",
        added: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n  serviceName: {{ include \"shop.fullname\" . }}-db\n  replicas: {{ .Values.db.replicas }}\n  selector:\n    matchLabels:\n      app: {{ .Values.db.name }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\nspec:\n  clusterIP: None\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db-config\n",
        commented: "{{/* the shop database, one per release */}}\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{include \"shop.fullname\" .}}-db # stable name\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n  serviceName: \"{{ include \"shop.fullname\" . }}-db\"\n  replicas: {{ .Values.db.replicas }}\n  selector:\n    matchLabels:\n      app: {{ .Values.db.name  }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\nspec:\n  clusterIP: None\n",
        reordered: Some("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\nspec:\n  clusterIP: None\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\n  name: {{ include \"shop.fullname\" . }}-db\nspec:\n  selector:\n    matchLabels:\n      app: {{ .Values.db.name }}\n  replicas: {{ .Values.db.replicas }}\n  serviceName: {{ include \"shop.fullname\" . }}-db\n"),
    },
    Fixture {
        path: "db/migrate/20240101000000_add_total_to_orders.rb",
        base: "class AddTotalToOrders < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, :total, :integer\n  end\nend\n",
        added: "class AddTotalToOrders < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, :total, :integer\n    change_table :orders do |t|\n      t.string :note\n    end\n  end\nend\n",
        commented: "# frozen_string_literal: true\n\nclass AddTotalToOrders < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, :total, :integer # cents\n  end\nend\n",
        reordered: None,
    },
    Fixture {
        path: "live/prod/db/terragrunt.hcl",
        base: "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\nprevent_destroy = true\n\nremote_state {\n  backend = \"s3\"\n  config = {\n    bucket = \"acme-tf-state\"\n    key    = \"prod/db/terraform.tfstate\"\n  }\n}\n\ninputs = {\n  identifier          = \"orders\"\n  deletion_protection = true\n}\n",
        added: "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\nprevent_destroy = true\n\nremote_state {\n  backend = \"s3\"\n  config = {\n    bucket = \"acme-tf-state\"\n    key    = \"prod/db/terraform.tfstate\"\n  }\n}\n\ninputs = {\n  identifier          = \"orders\"\n  deletion_protection = true\n  instance_class      = \"db.r6g.large\"\n}\n",
        commented: "# the orders database\ninclude \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\nprevent_destroy = true # never destroy\n\nremote_state {\n  backend = \"s3\"\n  config = {\n    bucket = \"acme-tf-state\"\n    key    = \"prod/db/terraform.tfstate\"\n  }\n}\n\ninputs = {\n  identifier          = \"orders\"\n  deletion_protection = true\n}\n",
        reordered: Some("inputs = {\n  deletion_protection = true\n  identifier          = \"orders\"\n}\n\nremote_state {\n  config = {\n    key    = \"prod/db/terraform.tfstate\"\n    bucket = \"acme-tf-state\"\n  }\n  backend = \"s3\"\n}\n\nprevent_destroy = true\n\ninclude \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n"),
    },
    Fixture {
        path: "site.yml",
        base: "- name: Databases\n  hosts: dbservers\n  tasks:\n    - name: Orders database\n      community.postgresql.postgresql_db:\n        name: orders\n        state: present\n",
        added: "- name: Databases\n  hosts: dbservers\n  tasks:\n    - name: Orders database\n      community.postgresql.postgresql_db:\n        name: orders\n        state: present\n    - name: Reports database\n      community.postgresql.postgresql_db:\n        name: reports\n        state: present\n",
        commented: "# database hosts\n- name: Databases\n  hosts: dbservers\n  tasks:\n    - name: Orders database\n      community.postgresql.postgresql_db:\n        name: orders # the shop\n        state: present\n",
        reordered: None,
    },
];

fn destructive(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.tags.contains(&Tag::Destructive))
        .map(|f| format!("{} at {:?}: {}", f.rule, f.location.line, f.message))
        .collect()
}

#[test]
fn additions_comments_and_reorderings_are_never_destructive() {
    for fx in FIXTURES {
        let mut edits = vec![("added", fx.added), ("commented", fx.commented)];
        edits.extend(fx.reordered.map(|r| ("reordered", r)));
        for (what, head) in edits {
            let found = Case::modified(fx.path, fx.base, head).run(analyze_file);
            assert_eq!(
                destructive(&found),
                Vec::<String>::new(),
                "{} {what}",
                fx.path
            );
        }
    }
}

#[test]
fn a_new_file_or_a_file_moved_as_it_is_is_never_destructive() {
    for fx in FIXTURES {
        let found = Case::added(fx.path, fx.base).run(analyze_file);
        assert_eq!(
            destructive(&found),
            Vec::<String>::new(),
            "{} added",
            fx.path
        );
        // Moving within its directory keeps Terraform's module and the manifests' objects.
        let (dir, name) = fx.path.rsplit_once('/').unwrap_or(("", fx.path));
        let to = if dir.is_empty() {
            format!("renamed-{name}")
        } else {
            format!("{dir}/renamed-{name}")
        };
        let named = [
            "Pulumi.yaml",
            "kustomization.yaml",
            "Chart.yaml",
            "action.yml",
        ];
        if named.iter().any(|n| fx.path.ends_with(n)) {
            continue; // their file name is their meaning
        }
        let found = Case::renamed(fx.path, &to, fx.base, fx.base).run(analyze_file);
        assert_eq!(
            destructive(&found),
            Vec::<String>::new(),
            "{} moved",
            fx.path
        );
    }
}

/// Real-world files that look like infrastructure and are not: their whole deletion says
/// nothing destructive and asks no human.
const LOOKALIKES: &[(&str, &str)] = &[
    ("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\nspec:\n  type: service\n  owner: team-shop\n"),
    ("skaffold.yaml", "apiVersion: skaffold/v4beta6\nkind: Config\nmetadata:\n  name: shop\nmanifests:\n  rawYaml: [k8s/*.yaml]\n"),
    ("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    volumes: [pgdata:/var/lib/postgresql/data]\nvolumes:\n  pgdata: {}\n"),
    ("mkdocs.yml", "site_name: Shop\nnav:\n  - Home: index.md\n"),
    (".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.5.0\n    hooks:\n      - id: check-yaml\n"),
    ("api/openapi.yaml", "openapi: 3.0.3\ninfo:\n  title: Shop\n  version: 1.0.0\ncomponents:\n  schemas:\n    Obj:\n      properties:\n        kind: {type: string}\n        apiVersion: {type: string}\n"),
    (".github/actions/lint/action.yml", "name: lint\nruns:\n  using: node20\n  main: dist/index.js\n"),
];

#[test]
fn deleting_files_that_only_look_like_infrastructure_finds_nothing() {
    for (path, text) in LOOKALIKES {
        let found = Case::deleted(path, text).run(analyze_file);
        assert!(found.is_empty(), "{path}: {found:?}");
    }
}

#[test]
fn every_fixture_does_report_its_destruction() {
    // The fixtures are not inert: removing their content is caught, so the quiet results
    // above mean something.
    for fx in FIXTURES {
        let emptied = if fx.path.ends_with(".sql") {
            "DROP TABLE orders;\n".to_owned()
        } else if fx.path.ends_with("terragrunt.hcl") {
            fx.base
                .replace("prevent_destroy = true", "prevent_destroy = false")
        } else if fx.path.ends_with("db.yml") || fx.path == "site.yml" {
            fx.base.replace("state: present", "state: absent")
        } else if fx.path.ends_with("deploy.yml") {
            fx.base.replace("    environment: production\n", "")
        } else if fx.path.ends_with("Chart.yaml") {
            fx.base.replace("  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n", "")
        } else if fx.path.ends_with("action.yml") {
            format!(
                "{}    - run: kubectl delete namespace shop\n      shell: bash\n",
                fx.base
            )
        } else if fx.path.ends_with(".rb") {
            fx.base.replace("add_column", "remove_column")
        } else if fx.path.ends_with("kustomization.yaml") {
            "resources:\n  - app.yaml\n".to_owned()
        } else if fx.path.ends_with(".py") {
            fx.base.replace(
                "    ]",
                "        migrations.RemoveField(model_name=\"order\", name=\"total\"),\n    ]",
            )
        } else if fx.path.ends_with(".prisma") {
            "model Order {\n  id    Int @id\n  total Int\n}\n".to_owned()
        } else if fx.path == "Pulumi.yaml" {
            "name: shop\nruntime: yaml\nresources: {}\n".to_owned()
        } else if fx.path.ends_with(".tf") {
            String::new()
        } else if fx.path == "template.yaml" {
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n".to_owned()
        } else {
            String::new()
        };
        let found = Case::modified(fx.path, fx.base, &emptied).run(analyze_file);
        let flagged = found
            .iter()
            .any(|f| f.tags.contains(&Tag::Destructive) || f.tags.contains(&Tag::Guardrail));
        assert!(flagged, "{}: {found:?}", fx.path);
    }
}
