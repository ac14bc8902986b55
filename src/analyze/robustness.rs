//! Every analyzer on arbitrary edits of every kind of file: whatever the text, analysing a
//! change returns findings (or none) and never panics. A seed of each kind keeps the file
//! classified as that kind while the edit garbles it.

use super::analyze_file;
use super::files::testkit::Case;
use proptest::prelude::*;

/// A path and a head of the file that make it read as one kind.
const KINDS: &[(&str, &str)] = &[
    ("infra/main.tf", "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = true\n}\n"),
    ("live/prod/terragrunt.hcl", "terraform {\n  source = \"../modules//db\"\n}\ninputs = { retention = 7 }\n"),
    ("envs/prod.tfvars", "envs = [\"dev\", \"prod\"]\n"),
    ("k8s/app.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n"),
    ("charts/app/templates/sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ .Release.Name }}\n"),
    ("charts/app/values.yaml", "persistence:\n  enabled: true\n"),
    ("helmfile.yaml", "releases:\n  - name: pg\n    chart: bitnami/postgresql\n"),
    ("deploy/kustomization.yaml", "resources:\n  - pvc.yaml\n"),
    ("deploy/overlay/kustomization.yaml", "replicas:\n  - name: web\n    count: 0\npatches:\n  - path: scale.yaml\n  - target: {kind: Deployment, name: web}\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 0\n"),
    ("fly.toml", "app = 'shop'\n[deploy]\n  release_command = 'bin/rails db:reset'\n[processes]\n  app = 'bin/rails server'\n"),
    ("Procfile", "web: bundle exec puma\nrelease: bin/rails db:schema:load\n"),
    ("live/override.auto.tfvars", "db_protect = false\nversioning = { enabled = false }\n"),
    (".github/workflows/matrix.yml", "on: push\nenv:\n  CMD: plan\njobs:\n  d:\n    strategy:\n      matrix:\n        a: [apply, destroy]\n        include:\n          - {a: x, b: y}\n    env:\n      DIR: infra\n    steps:\n      - env: {CMD: destroy}\n        run: terraform -chdir=$DIR ${{ matrix.a }} $CMD ${CMD} $(CMD) ${{ env.CMD }}\n"),
    ("gitops/app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  syncPolicy:\n    automated:\n      prune: true\n"),
    ("stack/template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  T:\n    Type: AWS::DynamoDB::Table\n"),
    ("svc/serverless.yml", "service: orders\nprovider:\n  name: aws\n  stage: prod\n"),
    ("Pulumi.yaml", "name: shop\nruntime: yaml\nresources:\n  db:\n    type: aws:rds:Instance\n"),
    ("index.ts", "import * as aws from \"@pulumi/aws\";\nconst b = new aws.s3.Bucket(\"data\", {});\n"),
    ("lib/stack.ts", "import * as cdk from 'aws-cdk-lib';\nnew dynamodb.Table(this, 'Orders', {});\n"),
    ("playbooks/site.yml", "- hosts: all\n  tasks:\n    - file: path=/srv state=absent\n"),
    ("Dockerfile", "FROM alpine\nRUN rm -rf /var/lib/x\n"),
    ("db/migrations/001.sql", "DROP TABLE users;\n"),
    ("db/migrate/20240101_drop.rb", "class Drop < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :users\n  end\nend\n"),
    ("app/migrations/0002_x.py", "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [migrations.DeleteModel(name='X')]\n"),
    (".github/workflows/deploy.yml", "on: push\njobs:\n  d:\n    steps:\n      - run: terraform destroy\n"),
    (".gitlab-ci.yml", "destroy:\n  script:\n    - terraform destroy -auto-approve\n"),
    ("Jenkinsfile", "pipeline { stages { stage('x') { steps { sh 'kubectl delete ns prod' } } } }\n"),
    ("Makefile", "down:\n\tterraform destroy\n"),
    ("scripts/clean.sh", "#!/bin/bash\nrm -rf \"$DIR\"/\n"),
    (".github/rulesets/main.json", "{\"name\": \"main\", \"enforcement\": \"active\", \"rules\": [{\"type\": \"deletion\"}]}\n"),
    (".github/twokey.yml", "version: 1\n"),
    ("infra/main.tofu", "resource \"aws_s3_bucket\" \"b\" {\n  lifecycle {\n    enabled = true\n  }\n}\n"),
    ("stack/db.tfcomponent.hcl", "component \"db\" {\n  source = \"./db\"\n  inputs = { protect = true }\n}\n"),
    ("stack/prod.tfdeploy.hcl", "deployment \"prod\" {\n  inputs = { region = \"eu-west-1\" }\n}\n"),
    ("scripts/cleanup.ps1", "Remove-AzResourceGroup -Name rg-prod -Force\n"),
    ("ci/deploy.yml", "deploy:\n  stage: deploy\n  script:\n    - terraform destroy -auto-approve\n"),
    ("eng/pipelines/deploy.yml", "steps:\n- pwsh: Remove-Item -Recurse -Force C:\\\n- script: terraform destroy\n"),
    ("docker-stack.yml", "services:\n  db:\n    image: postgres:16\n    command: [sh, -c, 'rm -rf /data']\n    volumes:\n      - pg:/var/lib/postgresql/data\n      - ${DIR:-./x}:/srv:ro\n    deploy:\n      replicas: 1\nvolumes:\n  pg:\n    external: true\n"),
    ("nomad/pg.nomad.hcl", "job \"pg\" {\n  group \"db\" {\n    count = 1\n    volume \"d\" {\n      type = \"csi\"\n      source = \"d\"\n    }\n    ephemeral_disk {\n      sticky = true\n    }\n    task \"t\" {\n      config {\n        image = \"postgres\"\n        args = [\"-c\", \"x\"]\n      }\n    }\n  }\n}\n"),
    ("db/schema.hcl", "schema \"public\" {}\ntable \"users\" {\n  schema = schema.public\n  column \"id\" {\n    type = int\n  }\n}\n"),
    ("src/db/schema.ts", "import { pgTable, text } from \"drizzle-orm/pg-core\";\nexport const users = pgTable(\"users\", { id: text(\"id\"), email: text(\"email\") });\n"),
    ("sst.config.ts", "export default $config({\n  app(input) {\n    return { name: \"shop\", removal: \"retain\" };\n  },\n  async run() {\n    new sst.aws.Dynamo(\"Orders\", { fields: { id: \"string\" }, primaryIndex: { hashKey: \"id\" } });\n  },\n});\n"),
    ("amplify/data/resource.ts", "import { a, defineData } from \"@aws-amplify/backend\";\nconst schema = a.schema({\n  Todo: a.model({ content: a.string() }),\n});\nexport const data = defineData({ schema });\n"),
    ("db/changelog/changes.sql", "--liquibase formatted sql\n--changeset ana:1\nDROP TABLE invoices;\n"),
    ("db/changelog/master.yaml", "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: ana\n      changes:\n        - dropTable:\n            tableName: invoices\n"),
    ("supabase/schemas/app.sql", "CREATE TABLE profiles (id UUID PRIMARY KEY);\n"),
    ("src/main/java/db/migration/V2__Drop.java", "public class V2__Drop extends BaseJavaMigration {\n  public void migrate(Context c) throws Exception {\n    c.getConnection().createStatement().execute(\"DROP TABLE users\");\n  }\n}\n"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn any_edit_of_any_kind_of_file_is_analysed_without_panicking(
        kind in 0..KINDS.len(),
        old_tail in "[ -~\n]{0,80}",
        new_tail in "(\\PC|[\n{}\\[\\]:\"'#=-]){0,80}",
        cut in 0usize..64,
    ) {
        let (path, seed) = KINDS[kind];
        // The edit keeps a prefix of the seed (cut at a character boundary) and appends noise.
        let keep = seed.char_indices().map(|(i, _)| i).take_while(|&i| i <= cut).last().unwrap_or(0);
        let old = format!("{seed}{old_tail}");
        let new = format!("{}{new_tail}", &seed[..keep]);
        let _ = Case::modified(path, &old, &new).run(analyze_file);
        let _ = Case::added(path, &new).run(analyze_file);
        let _ = Case::deleted(path, &old).run(analyze_file);
    }
}

/// The seeds do what they are for: each file is read as a kind an analyzer owns, or the
/// property above would only exercise the classifier.
#[test]
fn every_seed_is_read_as_a_kind_an_analyzer_owns() {
    use crate::analyze::classify::classify;
    use crate::analyze::FileKind;
    use crate::change::RepoPath;
    for (path, seed) in KINDS {
        let kind = classify(&RepoPath::new(*path), Some(seed));
        let watched = crate::analyze::guardrail::watches(&RepoPath::new(*path));
        assert!(
            kind != FileKind::Other || watched,
            "{path} reads as {kind:?}"
        );
    }
}
