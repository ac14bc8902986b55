//! The command packs on single commands: what each destroys, at which severity, and what
//! stays quiet.

use super::*;

/// The rule ids and severities a shell line triggers.
fn hits(script: &str) -> Vec<(&'static str, Severity)> {
    let lexed = lex::lex(script, 1);
    assert_eq!(lexed.error, None, "{script}");
    lexed
        .commands
        .iter()
        .flat_map(|c| match_command(&c.words, c.stdin.as_deref()))
        .map(|h| (h.rule.id.as_str(), h.severity))
        .collect()
}

fn rule(script: &str) -> Vec<&'static str> {
    hits(script).into_iter().map(|(r, _)| r).collect()
}

/// The rule and severity each command gets, for a table of expectations.
fn assert_hits(cases: &[(&str, &str, Severity)]) {
    for (script, rule_id, severity) in cases {
        assert_eq!(hits(script), [(*rule_id, *severity)], "{script}");
    }
}

fn assert_quiet(scripts: &[&str]) {
    for quiet in scripts {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn platform_clis_deleting_projects_databases_and_branches() {
    use Severity::{Critical, High, Medium};
    assert_hits(&[
        ("railway down --yes", "shell/cloud-delete", Medium),
        ("railway delete --yes", "shell/cloud-delete", Critical),
        (
            "render services delete --id srv-abc",
            "shell/cloud-delete",
            High,
        ),
        (
            "npx supabase projects delete abcdef",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "neonctl projects delete proj-1",
            "shell/cloud-delete",
            Critical,
        ),
        ("nomad job stop -purge web", "shell/cloud-delete", High),
        ("nomad job stop web", "shell/cloud-delete", Medium),
        ("nomad stop -purge web", "shell/cloud-delete", High),
        ("nomad namespace delete prod", "shell/cloud-delete", High),
        (
            "nomad volume deregister -force pg-data",
            "shell/cloud-delete",
            Medium,
        ),
        (
            "nomad volume delete pg-data",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "nomad var purge nomad/jobs/web",
            "shell/secrets-or-backups-delete",
            High,
        ),
        (
            "openstack volume delete db-vol",
            "shell/cloud-delete",
            Critical,
        ),
        ("openstack server delete web-1", "shell/cloud-delete", High),
        (
            "cf delete-service orders-db -f",
            "shell/cloud-delete",
            Critical,
        ),
        ("cf delete shop -f -r", "shell/cloud-delete", High),
        (
            "neonctl databases delete shop --branch main",
            "shell/database-drop",
            Critical,
        ),
        (
            "neonctl branches delete br-dawn-1 --project-id p",
            "shell/database-drop",
            High,
        ),
        (
            "pscale database delete shop --force",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "pscale branch delete shop add-index --force",
            "shell/database-drop",
            High,
        ),
        (
            "firebase firestore:delete --all-collections --force",
            "shell/database-drop",
            Critical,
        ),
        (
            "firebase firestore:delete users -r --force",
            "shell/database-drop",
            High,
        ),
        (
            "firebase database:remove / --force",
            "shell/database-drop",
            Critical,
        ),
        (
            "firebase database:remove /users --force",
            "shell/database-drop",
            High,
        ),
        (
            "atlas schema clean -u \"$DATABASE_URL\" --auto-approve",
            "shell/database-drop",
            Critical,
        ),
        (
            "wrangler d1 execute db --remote --command 'DROP TABLE users'",
            "shell/database-drop",
            High,
        ),
        (
            "wrangler d1 execute db --command='DELETE FROM sessions'",
            "shell/database-drop",
            High,
        ),
        (
            "atlas clusters delete prod --force",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "atlas backups snapshots delete 5f4 --clusterName prod --force",
            "shell/secrets-or-backups-delete",
            High,
        ),
        ("wrangler d1 delete db -y", "shell/cloud-delete", Critical),
        (
            "wrangler r2 bucket delete uploads",
            "shell/cloud-delete",
            High,
        ),
        (
            "bunx wrangler kv namespace delete --binding CACHE",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "wrangler kv:namespace delete --namespace-id 0f2a",
            "shell/cloud-delete",
            Critical,
        ),
        ("wrangler delete shop-worker", "shell/cloud-delete", High),
        (
            "oci compute instance terminate --instance-id x --force",
            "shell/cloud-delete",
            High,
        ),
        (
            "ibmcloud cos bucket-delete --bucket backups --force",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "az storage blob delete-batch --source uploads",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "aws s3 sync ./public s3://www.example.com --delete",
            "shell/cloud-delete",
            Medium,
        ),
    ]);
}

#[test]
fn queues_key_value_stores_object_stores_and_warehouses_emptied() {
    use Severity::{Critical, High, Medium};
    assert_hits(&[
        (
            "kafka-topics --bootstrap-server k:9092 --delete --topic orders",
            "shell/database-drop",
            High,
        ),
        (
            "/opt/kafka/bin/kafka-topics.sh --topic t --delete",
            "shell/database-drop",
            High,
        ),
        (
            "kafka-delete-records --offset-json-file o.json",
            "shell/database-drop",
            High,
        ),
        (
            "rabbitmqctl delete_queue orders",
            "shell/database-drop",
            High,
        ),
        (
            "rabbitmqctl -n rabbit@db purge_queue orders",
            "shell/database-drop",
            High,
        ),
        (
            "rabbitmqctl delete_vhost /prod",
            "shell/database-drop",
            Critical,
        ),
        ("rabbitmqctl force_reset", "shell/database-drop", Critical),
        (
            "rabbitmqadmin -H mq delete queue name=orders",
            "shell/database-drop",
            High,
        ),
        (
            "consul kv delete -recurse config/app",
            "shell/database-drop",
            High,
        ),
        (
            "redis-cli --scan --pattern 's:*' | xargs redis-cli DEL",
            "shell/database-drop",
            High,
        ),
        (
            "redis-cli del $(redis-cli keys 'sess:*')",
            "shell/database-drop",
            High,
        ),
        (
            "mc rb --force minio/backups",
            "shell/cloud-delete",
            Critical,
        ),
        ("mc rb minio/backups", "shell/cloud-delete", High),
        (
            "mc rm --recursive --force minio/uploads/2024",
            "shell/cloud-delete",
            High,
        ),
        (
            "mc mirror --remove ./site minio/site",
            "shell/cloud-delete",
            Medium,
        ),
        ("rclone purge remote:backups", "shell/cloud-delete", High),
        (
            "rclone delete s3:uploads/tmp --min-age 30d",
            "shell/cloud-delete",
            High,
        ),
        (
            "rclone sync /srv/data b2:backups",
            "shell/cloud-delete",
            Medium,
        ),
        (
            "bq rm -r -f -d shop:analytics",
            "shell/database-drop",
            Critical,
        ),
        (
            "bq rm -f -t shop:analytics.events",
            "shell/database-drop",
            High,
        ),
        (
            "bq query --use_legacy_sql=false 'DROP TABLE a.events'",
            "shell/database-drop",
            High,
        ),
        (
            "snowsql -c prod -q 'DROP DATABASE analytics'",
            "shell/database-drop",
            Critical,
        ),
        (
            "snowsql -q 'TRUNCATE TABLE raw.events'",
            "shell/database-drop",
            High,
        ),
    ]);
}

#[test]
fn data_store_http_apis_deleting_indices_and_databases() {
    use Severity::{Critical, High};
    assert_hits(&[
        (
            "curl -X DELETE http://es:9200/orders",
            "shell/database-drop",
            High,
        ),
        (
            "curl -XDELETE 'localhost:9200/logs-2024.*'",
            "shell/database-drop",
            High,
        ),
        (
            "curl --request DELETE https://search.example.com:9243/c -u \"elastic:$P\"",
            "shell/database-drop",
            High,
        ),
        (
            "curl -fsS -X DELETE \"$OPENSEARCH_URL/$INDEX\"",
            "shell/database-drop",
            High,
        ),
        (
            "curl -X DELETE http://elasticsearch:9200/_all",
            "shell/database-drop",
            Critical,
        ),
        (
            "curl -s -X DELETE \"$ES_URL/*\"",
            "shell/database-drop",
            Critical,
        ),
        (
            "curl -X POST \"$URL/orders/_delete_by_query\" -d '{}'",
            "shell/database-drop",
            High,
        ),
        (
            "curl -X DELETE http://es:9200/_data_stream/logs-app",
            "shell/database-drop",
            High,
        ),
        (
            "curl -X DELETE http://es:9200/_snapshot/s3/nightly-1",
            "shell/secrets-or-backups-delete",
            High,
        ),
        (
            "curl -X DELETE http://couchdb:5984/shop",
            "shell/database-drop",
            High,
        ),
        ("http DELETE es:9200/orders", "shell/database-drop", High),
        (
            "wget --method=DELETE -O- http://es:9200/orders",
            "shell/database-drop",
            High,
        ),
    ]);
    let hit = &match_command(
        &lex::lex("curl -X DELETE http://es:9200/orders", 1).commands[0].words,
        None,
    )[0];
    assert!(hit.message.contains("index `orders`"), "{}", hit.message);
    assert!(hit
        .safer
        .as_deref()
        .is_some_and(|s| s.contains("_snapshot")));
}

#[test]
fn a_per_pull_request_preview_deleted_is_medium_and_says_why() {
    use Severity::{Critical, Medium};
    assert_hits(&[
        (
            "fly apps destroy \"shop-pr-${{ github.event.number }}\" -y",
            "shell/cloud-delete",
            Medium,
        ),
        (
            "heroku apps:destroy -a \"shop-pr-$PR_NUMBER\" --confirm x",
            "shell/cloud-delete",
            Medium,
        ),
        (
            "neonctl branches delete \"preview/pr-$CI_MERGE_REQUEST_IID\"",
            "shell/database-drop",
            Medium,
        ),
        (
            "pscale branch delete shop \"pr-${{ github.event.pull_request.number }}\"",
            "shell/database-drop",
            Medium,
        ),
        // A fixed name, or a branch name, may be a shared environment.
        (
            "heroku apps:destroy shop-preview --confirm shop-preview",
            "shell/cloud-delete",
            Critical,
        ),
        (
            "fly apps destroy \"shop-${{ github.head_ref }}\" -y",
            "shell/cloud-delete",
            Critical,
        ),
    ]);
    let lexed = lex::lex("fly apps destroy \"shop-pr-$PR_NUMBER\" -y", 1);
    let hit = &match_command(&lexed.commands[0].words, None)[0];
    assert!(hit.message.contains("per-PR preview"), "{}", hit.message);
    assert!(hit.message.contains("Fly.io app"), "{}", hit.message);
}

#[test]
fn platform_and_data_store_reads_rehearsals_and_routine_deletes_are_quiet() {
    assert_quiet(&[
        "railway up --detach",
        "railway variables delete OLD_FLAG",
        "nomad job run web.nomad.hcl",
        "nomad job status web",
        "nomad volume status pg-data",
        "nomad volume deregister pg-data",
        "nomad namespace list",
        "openstack server list",
        "openstack volume snapshot create --volume db-vol nightly",
        "cf push shop",
        "cf stop shop",
        "neonctl branches list --project-id p",
        "neonctl branches create --name delete",
        "neonctl branches delete --help",
        "pscale branch list shop",
        "firebase deploy --only hosting",
        "atlas schema apply -u \"$DATABASE_URL\" --to file://s.hcl --dry-run",
        "wrangler d1 execute db --local --command 'DROP TABLE users'",
        "wrangler d1 execute db --remote --command 'SELECT 1'",
        "wrangler d1 execute db --remote --file=./m/0001.sql",
        "wrangler r2 object delete uploads/tmp/a.txt",
        "wrangler kv key delete --binding CACHE homepage",
        "curl -X GET http://es:9200/_cat/indices",
        "curl -s http://es:9200/_cluster/health",
        "curl -X DELETE http://es:9200/_search/scroll -d '{}'",
        "curl -X DELETE http://es:9200/orders/_doc/42",
        "curl -X DELETE \"$ES_URL/_index_template/logs\"",
        "curl -X PUT http://es:9200/_snapshot/s3/nightly",
        "curl -X DELETE \"http://couchdb:5984/shop/doc1?rev=1-a\"",
        "curl -X DELETE https://api.github.com/repos/a/b/actions/caches?key=npm",
        "curl -X DELETE https://translate.example.com/es",
        "atlas clusters list",
        "kafka-topics --bootstrap-server k:9092 --list",
        "kafka-topics --bootstrap-server k:9092 --describe --topic orders",
        "rabbitmqctl list_queues",
        "rabbitmqctl delete_user guest",
        "consul kv delete config/app/feature-x",
        "consul kv get -recurse config/app",
        "redis-cli DEL cache:homepage",
        "redis-cli --scan --pattern 's:*'",
        "mc",
        "mc ls minio/backups",
        "mc rm minio/uploads/tmp/a.txt",
        "mc rm --recursive --force --dry-run minio/uploads",
        "rclone copy ./dist s3:site",
        "rclone sync ./dist s3:site --dry-run",
        "rclone sync ./dist s3:site -n",
        "aws s3 sync ./public s3://site",
        "aws s3 sync ./public s3://site --delete --dryrun",
        "bq ls shop:analytics",
        "bq query --use_legacy_sql=false 'SELECT 1'",
        "snowsql -q 'SELECT current_version()'",
        "echo \"rabbitmqctl delete_vhost /prod\"",
    ]);
}

#[test]
fn cloudformation_delete_stack_names_the_stack_and_what_goes_with_it() {
    let lexed = lex::lex(
        "aws cloudformation delete-stack --stack-name orders-prod",
        1,
    );
    let hits = match_command(&lexed.commands[0].words, None);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule.id.as_str(), "shell/cloud-delete");
    assert_eq!(hits[0].severity, Severity::Critical);
    assert!(
        hits[0]
            .message
            .contains("deletes the stack `orders-prod` and every resource it created"),
        "{}",
        hits[0].message
    );
    assert!(hits[0]
        .safer
        .as_deref()
        .is_some_and(|s| s.contains("DeletionPolicy: Retain")));
    assert!(rule("aws cloudformation delete-stack --stack-name x --dry-run").is_empty());
}

#[test]
fn tools_run_through_a_package_manager_or_gitlabs_wrapper_are_judged() {
    for (script, expected) in [
        ("yarn cdk destroy --force MyStack", "shell/stack-destroy"),
        ("yarn --cwd infra run cdk destroy", "shell/stack-destroy"),
        ("pnpm exec cdk destroy --all", "shell/stack-destroy"),
        (
            "pnpm --filter infra exec pulumi destroy --yes",
            "shell/stack-destroy",
        ),
        ("npm exec -- cdk destroy --force", "shell/stack-destroy"),
        ("bun x cdk destroy", "shell/stack-destroy"),
        ("gitlab-terraform destroy", "shell/terraform-destroy"),
        ("gitlab-tofu destroy", "shell/terraform-destroy"),
    ] {
        assert_eq!(rule(script), [expected], "{script}");
    }
    for quiet in [
        "yarn install --frozen-lockfile",
        "yarn destroy",
        "pnpm rm lodash",
        "npm run cdk destroy",
        "npm rm -rf",
        "pnpm -r exec rm -rf node_modules",
        "yarn cdk diff",
        "gitlab-terraform apply",
        "gitlab-terraform plan",
    ] {
        assert!(rule(quiet).is_empty(), "{quiet}");
    }
}

#[test]
fn gitops_deletes_eksctl_clusters_and_remote_supabase_resets() {
    for (script, expected) in [
        (
            "flux delete kustomization apps --silent",
            ("shell/kubectl-delete", Severity::High),
        ),
        (
            "flux delete hr -n prod redis",
            ("shell/kubectl-delete", Severity::High),
        ),
        (
            "argocd app delete prod-app -y",
            ("shell/kubectl-delete", Severity::High),
        ),
        (
            "argocd appset delete --server cd.example.com tenants",
            ("shell/kubectl-delete", Severity::High),
        ),
        (
            "eksctl delete cluster --name prod --region eu-west-1",
            ("shell/cloud-delete", Severity::Critical),
        ),
        (
            "eksctl delete nodegroup --cluster prod --name ng-1",
            ("shell/cloud-delete", Severity::High),
        ),
        (
            "supabase db reset --linked",
            ("shell/database-drop", Severity::Critical),
        ),
        (
            "npx supabase db reset --db-url \"$DATABASE_URL\"",
            ("shell/database-drop", Severity::Critical),
        ),
    ] {
        assert_eq!(hits(script), [expected], "{script}");
    }
    for quiet in [
        "flux reconcile kustomization apps --with-source",
        "flux suspend helmrelease redis",
        "argocd app delete prod-app --cascade=false",
        "argocd app sync prod-app --prune",
        "eksctl create cluster -f cluster.yaml",
        "supabase db reset",
        "flux delete --help",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn terraform_replacements_and_forgetting_state() {
    assert_eq!(
        hits("terraform apply -replace=aws_db_instance.main -auto-approve"),
        [
            ("shell/terraform-replace", Severity::High),
            ("shell/auto-approve-added", Severity::Medium)
        ]
    );
    for script in [
        "tofu apply -replace aws_instance.a",
        "terragrunt apply --replace=module.db.aws_db_instance.this",
        "terraform -chdir=envs/prod taint aws_db_instance.main",
        "terragrunt taint 'aws_instance.web[0]'",
    ] {
        assert_eq!(rule(script), ["shell/terraform-replace"], "{script}");
    }
    assert_eq!(
        hits("terraform plan -replace=aws_instance.a -out=p"),
        [("shell/terraform-replace", Severity::Medium)]
    );
    assert_eq!(
        rule("terraform state rm module.db 'aws_s3_bucket.logs'"),
        ["shell/terraform-state-rm"]
    );
    for quiet in [
        "terraform state list",
        "terraform state mv a b",
        "terraform state rm -dry-run module.db",
        "terraform untaint aws_instance.a",
        "terraform apply tfplan",
        "echo terraform apply -replace=aws_instance.a",
        "terraform validate -replace",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn a_command_is_shown_with_its_quoted_words_quoted() {
    let lexed = lex::lex("psql \"$DATABASE_URL\" -c \"DROP TABLE users\"", 1);
    let hit = &match_command(&lexed.commands[0].words, None)[0];
    assert!(
        hit.message
            .contains("`psql $DATABASE_URL -c 'DROP TABLE users'`"),
        "{}",
        hit.message
    );
}

#[test]
fn replacement_messages_name_what_is_recreated() {
    let lexed = lex::lex("terraform apply -replace=a.b -replace=c.d", 1);
    let hit = &match_command(&lexed.commands[0].words, None)[0];
    assert!(hit.message.contains("`a.b`, `c.d`"), "{}", hit.message);
    let lexed = lex::lex("terraform state rm module.db", 1);
    let hit = &match_command(&lexed.commands[0].words, None)[0];
    assert!(hit.message.contains("`module.db`"), "{}", hit.message);
}

#[test]
fn smaller_clouds_deleting_resources() {
    for (script, severity) in [
        (
            "doctl databases delete 9cc10173 --force",
            Severity::Critical,
        ),
        ("doctl compute droplet delete web-1", Severity::High),
        ("hcloud volume delete data", Severity::Critical),
        ("linode-cli linodes delete 123", Severity::High),
        ("scw rdb instance delete 11111111-1111", Severity::Critical),
        (
            "oci db autonomous-database delete --autonomous-database-id x",
            Severity::Critical,
        ),
        (
            "ibmcloud resource service-instance-delete my-db",
            Severity::High,
        ),
        ("fly apps destroy shop -y", Severity::Critical),
        ("flyctl volumes destroy vol_123", Severity::Critical),
        (
            "heroku pg:reset DATABASE_URL --confirm shop",
            Severity::Critical,
        ),
        (
            "heroku apps:destroy --app shop --confirm shop",
            Severity::Critical,
        ),
    ] {
        assert_eq!(hits(script), [("shell/cloud-delete", severity)], "{script}");
    }
    for quiet in [
        "doctl databases list",
        "hcloud server create --name web",
        "fly deploy",
        "fly apps list",
        "heroku pg:info",
        "heroku run rake db:migrate",
        "doctl databases delete --help",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn commands_run_inside_containers_and_pods_are_judged_as_themselves() {
    for script in [
        "docker exec -i -e PGPASSWORD=x db psql -U app -c 'DROP TABLE orders'",
        "docker compose -f prod.yml exec -T db psql -c 'TRUNCATE events'",
        "kubectl exec -n prod db-0 -- psql -c 'DROP DATABASE shop'",
        "docker exec redis redis-cli FLUSHALL",
    ] {
        assert_eq!(rule(script), ["shell/database-drop"], "{script}");
    }
    for quiet in [
        "docker exec db psql -c 'SELECT 1'",
        "kubectl exec db-0 -- ls /var/lib",
        "docker exec -it web bash",
        "kubectl exec db-0 psql",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn secrets_backups_keyspaces_buckets_and_find_delete() {
    for (script, rule_id) in [
        (
            "vault secrets disable kv-prod",
            "shell/secrets-or-backups-delete",
        ),
        (
            "vault kv metadata delete secret/app/db",
            "shell/secrets-or-backups-delete",
        ),
        (
            "vault kv destroy -versions=1,2 secret/app",
            "shell/secrets-or-backups-delete",
        ),
        (
            "velero backup delete nightly --confirm",
            "shell/secrets-or-backups-delete",
        ),
        ("cqlsh -e 'DROP KEYSPACE shop'", "shell/database-drop"),
        ("influx bucket delete --name metrics", "shell/database-drop"),
        ("etcdctl del /registry --prefix", "shell/database-drop"),
        ("vercel remove shop --yes", "shell/cloud-delete"),
        ("netlify sites:delete abc --force", "shell/cloud-delete"),
        ("find / -name '*.log' -delete", "shell/rm-rf"),
        ("find $DIR -type f -delete", "shell/rm-rf"),
    ] {
        assert_eq!(rule(script), [rule_id], "{script}");
    }
    for quiet in [
        "vault kv get secret/app",
        "vault kv delete secret/app",
        "vault secrets list",
        "velero backup create nightly",
        "cqlsh -e 'SELECT * FROM shop.orders'",
        "influx bucket list",
        "etcdctl del /registry/one-key",
        "vercel deploy --prod",
        "find . -name '*.pyc' -delete",
        "find /var/log -name '*.gz'",
        "terraform destroy --help",
        "terraform -help",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
    // A rotation by age keeps newer files: medium, naming the test.
    assert_hits(&[
        (
            "find /backups -type f -mtime +7 -delete",
            "shell/rm-rf",
            Severity::Medium,
        ),
        (
            "find /backups -type f -delete",
            "shell/rm-rf",
            Severity::High,
        ),
    ]);
}

#[test]
fn find_running_rm_is_judged_as_find_delete() {
    assert_hits(&[
        (
            "find /backups -mtime +7 -exec rm -f {} +",
            "shell/rm-rf",
            Severity::Medium,
        ),
        (
            "find /backups -type f -execdir /bin/rm -rf {} ;",
            "shell/rm-rf",
            Severity::High,
        ),
    ]);
    assert_quiet(&[
        "find /backups -name '*.dump' -exec ls -l {} +",
        "find /tmp/build -exec rm -rf {} +",
    ]);
}

#[test]
fn lost_and_found_and_bitnami_volumes() {
    // fsck's directory, empty on a fresh volume: database images refuse a data
    // directory holding it, so init containers delete it.
    assert_quiet(&[
        "rm -rf /var/lib/postgresql/data/lost+found",
        "rm -rf /var/lib/mysql/lost+found/",
        "rm -rf /bitnami/postgresql/lost+found",
    ]);
    assert_hits(&[
        (
            "rm -rf /var/lib/postgresql/data/lost+found/../*",
            "shell/rm-rf",
            Severity::Critical,
        ),
        (
            "rm -rf /bitnami/postgresql/data/*",
            "shell/rm-rf",
            Severity::Critical,
        ),
        ("rm -rf /bitnami/wordpress/*", "shell/rm-rf", Severity::High),
    ]);
    assert_quiet(&["rm -rf /opt/bitnami/postgresql/tmp/*"]);
}

#[test]
fn schema_wipes_of_migration_tools() {
    assert_hits(&[
        (
            "flyway -cleanDisabled=false clean",
            "shell/database-drop",
            Severity::Critical,
        ),
        (
            "flyway clean migrate",
            "shell/database-drop",
            Severity::Critical,
        ),
        (
            "liquibase --changelog-file=db.xml drop-all",
            "shell/database-drop",
            Severity::Critical,
        ),
        (
            "liquibase dropAll",
            "shell/database-drop",
            Severity::Critical,
        ),
        (
            "alembic -c alembic.ini downgrade base",
            "shell/database-drop",
            Severity::High,
        ),
        // The init processes containers start under run the command after them.
        (
            "dumb-init -- bundle exec rails db:drop",
            "shell/database-drop",
            Severity::Critical,
        ),
        (
            "tini -g -- psql -c 'DROP TABLE t'",
            "shell/database-drop",
            Severity::High,
        ),
    ]);
    assert_quiet(&[
        "flyway -url=jdbc:postgresql://db/app migrate",
        "flyway info",
        "liquibase update",
        "alembic upgrade head",
        "alembic downgrade -1",
        "dumb-init -- bundle exec rails db:migrate",
    ]);
}

#[test]
fn container_volumes_deleted() {
    for script in [
        "docker volume rm pgdata",
        "docker volume prune -f",
        "docker system prune -af --volumes",
        "docker compose -f prod.yml down -v",
        "docker-compose down --volumes",
        "podman volume rm data",
        "docker compose rm -fsv db",
        "docker-compose rm -v db",
        "docker rm -fv shop-db-1",
        "docker compose up -d --force-recreate --renew-anon-volumes",
    ] {
        assert_eq!(rule(script), ["shell/volume-delete"], "{script}");
    }
    for script in [
        "docker stack rm shop",
        "docker service rm shop_postgres",
        "docker stack deploy --prune -c docker-stack.yml shop",
    ] {
        assert_eq!(rule(script), ["shell/cloud-delete"], "{script}");
    }
    for quiet in [
        "docker compose down",
        "docker system prune -af",
        "docker volume ls",
        "docker run -v data:/var/lib/postgresql/data postgres",
        "docker compose up -d",
        "docker compose rm -f db",
        "docker rm -f shop-web-1",
        "docker stack deploy -c docker-stack.yml shop",
        "docker service ls",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}

#[test]
fn terraform_destroy_in_every_spelling() {
    for script in [
        "terraform destroy",
        "terraform -chdir=envs/prod destroy -auto-approve",
        "tofu apply -destroy -auto-approve",
        "terragrunt run-all destroy --terragrunt-non-interactive",
        "terragrunt run --all destroy",
        "cd infra && sudo -E TF_LOG=debug terraform destroy -var 'env=prod'",
        "bash -c 'terraform destroy -auto-approve'",
        "terraform plan -destroy -out=destroy.tfplan",
    ] {
        assert_eq!(rule(script), ["shell/terraform-destroy"], "{script}");
    }
    assert_eq!(
        hits("terraform destroy -target=aws_instance.a")[0].1,
        Severity::High
    );
    assert_eq!(hits("terraform destroy")[0].1, Severity::Critical);
}

#[test]
fn terraform_that_does_not_destroy() {
    for script in [
        "terraform plan",
        "terraform apply tfplan",
        "echo terraform destroy",
        "terraform state list | grep destroy",
        "# terraform destroy",
        "terraform init -backend-config=destroy.hcl",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
}

#[test]
fn unattended_applies() {
    for script in [
        "terraform apply -auto-approve",
        "terraform apply --auto-approve=true -var-file prod.tfvars",
        "terragrunt run-all apply --terragrunt-non-interactive",
        "pulumi up --yes",
        "cdk deploy --require-approval never",
    ] {
        assert_eq!(rule(script), ["shell/auto-approve-added"], "{script}");
    }
    assert!(rule("terraform apply").is_empty());
    // A saved plan is applied without asking either way.
    assert!(rule("terraform apply -auto-approve tfplan").is_empty());
    assert!(rule("tofu apply -auto-approve -parallelism 4 plan.out").is_empty());
    assert!(rule("pulumi up").is_empty());
    assert!(rule("cdk deploy").is_empty());
}

#[test]
fn stacks_destroyed() {
    for script in [
        "pulumi destroy --yes",
        "pulumi down",
        "pulumi stack rm prod --force",
        "cdk destroy --all",
        "sam delete --no-prompts",
        "serverless remove --stage prod",
    ] {
        assert_eq!(rule(script), ["shell/stack-destroy"], "{script}");
    }
    assert!(rule("pulumi preview").is_empty());
    assert!(rule("sam deploy").is_empty());
}

#[test]
fn kubectl_deletes_with_blast_radius() {
    assert_eq!(
        hits("kubectl delete ns prod"),
        [("shell/kubectl-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("kubectl -n prod delete pvc/data-db-0"),
        [("shell/kubectl-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("kubectl delete pods --all -n ci"),
        [("shell/kubectl-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("kubectl delete deployment web"),
        [("shell/kubectl-delete", Severity::High)]
    );
    assert_eq!(
        rule("kubectl replace --force -f app.yaml"),
        ["shell/kubectl-delete"]
    );
    assert_eq!(
        rule("kubectl apply --prune -l app=web -f dir/"),
        ["shell/kubectl-delete"]
    );
    assert_eq!(rule("oc delete project staging"), ["shell/kubectl-delete"]);
}

#[test]
fn deleting_only_finished_pods_is_clean_up() {
    for script in [
        "kubectl delete pods -n ci --field-selector=status.phase==Succeeded",
        "kubectl delete pod --field-selector status.phase=Failed -n ci",
        "kubectl -n ci delete po --all --field-selector=spec.nodeName=n1,status.phase==Succeeded",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
    // Running pods, other kinds, and a selector that does not pin a finished phase still count.
    for script in [
        "kubectl delete pods --all -n ci",
        "kubectl delete pods -n ci --field-selector=status.phase!=Running",
        "kubectl delete pods,pvc -n ci --field-selector=status.phase==Succeeded",
        "kubectl delete pods -n ci --field-selector=status.phase==Running",
    ] {
        assert_eq!(rule(script), ["shell/kubectl-delete"], "{script}");
    }
}

#[test]
fn kubectl_that_does_not_delete() {
    for script in [
        "kubectl apply -f app.yaml",
        "kubectl delete deployment web --dry-run=client",
        "kubectl get ns delete",
        "kubectl replace -f app.yaml",
        "kubectl --namespace delete get pods",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
}

#[test]
fn helm_uninstall_and_helmfile_destroy() {
    for script in [
        "helm uninstall web -n prod",
        "helm delete --purge web",
        "helmfile -e prod destroy",
    ] {
        assert_eq!(rule(script), ["shell/helm-uninstall"], "{script}");
    }
    assert!(rule("helm upgrade --install web ./chart").is_empty());
    assert!(rule("helm uninstall web --dry-run").is_empty());
}

#[test]
fn rm_on_roots_home_and_variables() {
    assert_eq!(hits("rm -rf /"), [("shell/rm-rf", Severity::Critical)]);
    assert_eq!(
        hits("sudo rm -rf /var/"),
        [("shell/rm-rf", Severity::Critical)]
    );
    assert_eq!(hits("rm -fr ~"), [("shell/rm-rf", Severity::Critical)]);
    assert_eq!(
        hits("rm -r -f \"$HOME\"/*"),
        [("shell/rm-rf", Severity::Critical)]
    );
    assert_eq!(
        hits("rm -rf \"$DEPLOY_DIR/\""),
        [("shell/rm-rf", Severity::Critical)]
    );
    assert_eq!(
        hits("rm -rf \"${DEPLOY_DIR}\"/*"),
        [("shell/rm-rf", Severity::Critical)]
    );
    assert_eq!(
        hits("rm -rf $DEPLOY_DIR"),
        [("shell/rm-rf", Severity::High)]
    );
    assert_eq!(
        hits("rm --recursive --force $1/data"),
        [("shell/rm-rf", Severity::High)]
    );
    assert_eq!(
        hits("rm -rf --no-preserve-root $X"),
        [("shell/rm-rf", Severity::Critical)]
    );
}

#[test]
fn a_client_dropping_a_whole_database_is_as_critical_as_the_migration() {
    assert_eq!(
        hits("psql \"$DATABASE_URL\" -c 'DROP DATABASE prod'"),
        [("shell/database-drop", Severity::Critical)]
    );
    assert_eq!(
        hits("mysql -e 'DROP TABLE users'"),
        [("shell/database-drop", Severity::High)]
    );
}

#[test]
fn deleting_a_github_repository() {
    assert_eq!(
        hits("gh repo delete acme/shop --yes"),
        [("shell/cloud-delete", Severity::Critical)]
    );
    assert!(hits("gh repo view acme/shop").is_empty());
    assert!(hits("gh pr close 12 --delete-branch").is_empty());
}

#[test]
fn commands_run_through_xargs_are_judged_as_themselves() {
    for script in [
        "kubectl get ns -o name | xargs kubectl delete",
        "kubectl get pvc -o name | xargs -r -n1 kubectl delete",
        "echo shop | xargs -I{} helm uninstall {}",
    ] {
        assert!(!hits(script).is_empty(), "{script}");
    }
    assert!(hits("git ls-files | xargs -n 50 wc -l").is_empty());
}

#[test]
fn rm_of_data_directories_below_the_top_level() {
    for (script, severity) in [
        ("sudo rm -rf /var/lib/postgresql", Severity::Critical),
        ("rm -rf /var/lib/postgresql/16/main/*", Severity::Critical),
        ("rm -rf /var/lib", Severity::Critical),
        ("rm -rf /var/opt/mssql /opt/mssql", Severity::Critical),
        ("rm -rf /srv/backups", Severity::High),
        ("rm -rf /mnt/data/*", Severity::High),
        ("rm -rf /backups/nightly", Severity::High),
    ] {
        assert_eq!(hits(script), [("shell/rm-rf", severity)], "{script}");
    }
}

#[test]
fn rm_on_temporary_and_build_output_is_routine() {
    for script in [
        "rm -rf build dist node_modules",
        "rm -rf /tmp/work /var/lib/apt/lists/*",
        "rm -rf /var/cache/apk/* /var/log/nginx",
        "rm -rf \"$DEPLOY_DIR\"",
        "rm -rf \"${DEPLOY_DIR:?}/\"*",
        "rm -rf $TMPDIR/x $BUILD_DIR ${RUNNER_TEMP}/y",
        "rm -rf $(mktemp -d)",
        "rm -rf ${{ runner.temp }}/cache",
        "rm -f /etc/motd",
        "rm -rf ./target",
        "rm -rf $HOME/.cargo/registry ${GITHUB_WORKSPACE}/dist",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
}

#[test]
fn aws_deletes() {
    assert_eq!(
        hits("aws s3 rb s3://prod-data --force"),
        [("shell/cloud-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("aws s3 rm s3://prod-data/ --recursive"),
        [("shell/cloud-delete", Severity::High)]
    );
    assert_eq!(
            hits("aws --region us-east-1 rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot"),
            [("shell/cloud-delete", Severity::Critical)]
        );
    assert_eq!(
        hits("aws ec2 terminate-instances --instance-ids i-1"),
        [("shell/cloud-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("aws iam delete-role --role-name x"),
        [("shell/cloud-delete", Severity::High)]
    );
    assert_eq!(
        rule("aws cloudformation delete-stack --stack-name prod"),
        ["shell/cloud-delete"]
    );
}

#[test]
fn aws_reads_and_routine_deletes_are_quiet() {
    for script in [
        "aws s3 cp a s3://b/",
        "aws s3 rm s3://b/one-file.txt",
        "aws sqs delete-message --queue-url q --receipt-handle h",
        "aws ec2 delete-tags --resources i-1 --tags Key=a",
        "aws --profile delete-me s3 ls",
        "aws ec2 terminate-instances --instance-ids i-1 --dry-run",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
}

#[test]
fn gcloud_az_and_gsutil_deletes() {
    assert_eq!(
        hits("gcloud sql instances delete prod --quiet"),
        [("shell/cloud-delete", Severity::Critical)]
    );
    assert_eq!(
        hits("gcloud compute instances delete vm-1 --zone us-central1-a"),
        [("shell/cloud-delete", Severity::High)]
    );
    assert_eq!(
        hits("az group delete -n prod-rg --yes"),
        [("shell/cloud-delete", Severity::Critical)]
    );
    assert_eq!(rule("gsutil -m rm -r gs://bucket"), ["shell/cloud-delete"]);
    assert!(rule("gcloud compute instances list").is_empty());
    assert!(rule("az group create -n rg -l westeurope").is_empty());
}

#[test]
fn git_force_pushes() {
    assert_eq!(
        hits("git push --force origin main"),
        [("shell/git-force-push", Severity::High)]
    );
    assert_eq!(
        hits("git push -fu origin HEAD"),
        [("shell/git-force-push", Severity::High)]
    );
    assert_eq!(
        hits("git push origin +main"),
        [("shell/git-force-push", Severity::High)]
    );
    assert_eq!(
        hits("git push --force-with-lease"),
        [("shell/git-force-push", Severity::Medium)]
    );
    assert_eq!(
        hits("git push origin --delete release"),
        [("shell/git-force-push", Severity::Medium)]
    );
    assert!(rule("git push origin main").is_empty());
    assert!(rule("git -C repo push -u origin feature").is_empty());
}

#[test]
fn git_hard_resets_to_older_commits() {
    assert_eq!(
        hits("git reset --hard HEAD~3"),
        [("shell/git-force-push", Severity::Medium)]
    );
    assert_eq!(
        hits("git reset --hard 4f2a9c1e"),
        [("shell/git-force-push", Severity::Medium)]
    );
    assert!(rule("git reset --hard origin/main").is_empty());
    assert!(rule("git reset --hard").is_empty());
    assert!(rule("git reset HEAD~1").is_empty());
    assert!(rule("git fetch --force").is_empty());
}

#[test]
fn databases_dropped_from_the_command_line() {
    for script in [
        "psql \"$DATABASE_URL\" -c 'DROP TABLE users'",
        "psql -c\"truncate table sessions\"",
        "mysql -u root -e 'DROP DATABASE shop;'",
        "dropdb prod",
        "mysqladmin -f drop shop",
        "redis-cli -h cache FLUSHALL",
        "mongosh prod --eval 'db.dropDatabase()'",
        "bin/rails db:drop",
        "npx prisma migrate reset --force",
        "python manage.py flush --no-input",
        "bundle exec rails db:schema:load",
        "bundle exec rake db:reset",
        "poetry run python manage.py reset_db --noinput",
        "php artisan migrate:fresh --force --seed",
        "php artisan db:wipe --force",
        "npx typeorm schema:drop -d dist/data-source.js",
        "npx typeorm-ts-node-commonjs schema:sync -d src/data-source.ts",
        "npx sequelize-cli db:drop",
        "npx mikro-orm schema:fresh --run",
        "psql <<SQL\nDELETE FROM orders;\nSQL",
        "sqlite3 app.db 'DROP TABLE t'",
    ] {
        assert_eq!(rule(script), ["shell/database-drop"], "{script}");
    }
}

#[test]
fn database_clients_doing_ordinary_work_are_quiet() {
    for script in [
        "psql -c 'SELECT 1'",
        "psql -c 'DELETE FROM sessions WHERE expires_at < now()'",
        "mysql -e 'CREATE TABLE t (id int)'",
        "redis-cli get key",
        "rails db:migrate",
        "prisma migrate deploy",
        "python manage.py migrate",
        "echo DROP TABLE users",
        "bundle exec rails db:migrate",
        "bundle install",
        "php artisan migrate --force",
        "npx typeorm migration:run -d dist/data-source.js",
        "npx sequelize-cli db:migrate",
        "poetry run pytest",
    ] {
        assert!(rule(script).is_empty(), "{script}");
    }
}

#[test]
fn protection_switched_off_from_the_aws_cli() {
    for (script, named) in [
            (
                "aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name prod-net",
                "termination protection on the CloudFormation stack `prod-net`",
            ),
            (
                "aws rds modify-db-instance --db-instance-identifier prod --no-deletion-protection --apply-immediately",
                "deletion protection on the RDS DB instance `prod`",
            ),
            (
                "aws --region eu-west-1 rds modify-db-cluster --no-deletion-protection --db-cluster-identifier orders",
                "deletion protection on the DB cluster `orders`",
            ),
            (
                "aws ec2 modify-instance-attribute --instance-id i-0abc --no-disable-api-termination",
                "termination protection on the EC2 instance `i-0abc`",
            ),
            (
                "aws ec2 modify-instance-attribute --instance-id i-0abc --attribute disableApiTermination --value false",
                "termination protection on the EC2 instance `i-0abc`",
            ),
            (
                "aws elbv2 modify-load-balancer-attributes --load-balancer-arn arn:lb --attributes Key=idle_timeout.timeout_seconds,Value=60 Key=deletion_protection.enabled,Value=false",
                "deletion protection on the load balancer `arn:lb`",
            ),
            (
                r#"aws elbv2 modify-load-balancer-attributes --load-balancer-arn "$LB" --attributes '[{"Key":"deletion_protection.enabled","Value":"false"}]'"#,
                "deletion protection on the load balancer `$LB`",
            ),
            (
                "aws dynamodb update-table --table-name orders --no-deletion-protection-enabled",
                "deletion protection on the DynamoDB table `orders`",
            ),
        ] {
            let lexed = lex::lex(script, 1);
            let found = match_command(&lexed.commands[0].words, None);
            assert_eq!(found.len(), 1, "{script}");
            assert_eq!(found[0].rule.id.as_str(), "shell/protection-disabled");
            assert_eq!(found[0].severity, Severity::High);
            assert!(found[0].message.contains(named), "{}", found[0].message);
            let safer = found[0].safer.as_deref().unwrap_or("");
            assert!(
                safer.contains(named) && safer.contains("separate, reviewed change"),
                "{safer}"
            );
        }
}

#[test]
fn protection_kept_on_or_left_alone_is_quiet() {
    for quiet in [
            "aws cloudformation update-termination-protection --enable-termination-protection --stack-name prod",
            "aws rds modify-db-instance --db-instance-identifier prod --deletion-protection",
            "aws rds modify-db-instance --db-instance-identifier prod --db-instance-class db.r6g.large",
            "aws rds modify-db-cluster --db-cluster-identifier orders --deletion-protection",
            "aws ec2 modify-instance-attribute --instance-id i-1 --disable-api-termination",
            "aws ec2 modify-instance-attribute --instance-id i-1 --no-disable-api-termination --dry-run",
            "aws ec2 modify-instance-attribute --instance-id i-1 --attribute disableApiStop --value false",
            "aws elbv2 modify-load-balancer-attributes --load-balancer-arn a --attributes Key=deletion_protection.enabled,Value=true",
            "aws dynamodb update-table --table-name orders --deletion-protection-enabled",
            "aws dynamodb describe-table --table-name orders",
        ] {
            assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
        }
}

#[test]
fn commands_run_in_a_container_are_judged_as_the_command() {
    for (script, rule_id) in [
            (
                "docker run hashicorp/terraform:1.7 destroy -auto-approve",
                "shell/terraform-destroy",
            ),
            (
                "docker run --rm -v $PWD:/w -w /w hashicorp/terraform destroy",
                "shell/terraform-destroy",
            ),
            (
                "docker run -it --rm -e TF_TOKEN=x --entrypoint terraform acme/infra:2 -chdir=prod destroy",
                "shell/terraform-destroy",
            ),
            ("docker compose run terraform destroy", "shell/terraform-destroy"),
            (
                "docker-compose -f ci.yml run --rm tools terraform apply -destroy",
                "shell/terraform-destroy",
            ),
            (
                "podman run --rm -v ~/.kube:/root/.kube:Z quay.io/acme/tools kubectl delete ns prod",
                "shell/kubectl-delete",
            ),
            ("docker run bitnami/kubectl:1.29 delete ns prod", "shell/kubectl-delete"),
            ("docker run --rm alpine/helm uninstall api -n prod", "shell/helm-uninstall"),
            (
                "docker run --rm -e AWS_PROFILE amazon/aws-cli rds delete-db-instance --db-instance-identifier prod",
                "shell/cloud-delete",
            ),
            (
                "docker run --entrypoint /bin/sh hashicorp/terraform -c 'terraform destroy'",
                "shell/terraform-destroy",
            ),
        ] {
            assert_eq!(rule(script), [rule_id], "{script}");
        }
}

#[test]
fn a_container_finding_says_where_the_command_runs() {
    let lexed = lex::lex("docker run --rm hashicorp/terraform:1.7 destroy", 1);
    let hit = &match_command(&lexed.commands[0].words, None)[0];
    assert!(
        hit.message
            .starts_with("In a `hashicorp/terraform:1.7` container, `terraform destroy` destroys"),
        "{}",
        hit.message
    );
    let lexed = lex::lex("terraform destroy", 1);
    let plain = &match_command(&lexed.commands[0].words, None)[0];
    assert_eq!(hit.identity, plain.identity);
}

#[test]
fn containers_that_run_nothing_destructive_are_quiet() {
    for quiet in [
        "docker run hashicorp/terraform plan",
        "docker run --rm -v $PWD:/w -w /w hashicorp/terraform:1.7 apply tfplan",
        "docker run -e destroy=1 nginx",
        "docker run --name destroy -d nginx",
        "docker run --rm alpine echo terraform destroy",
        "docker run --rm acme/terraform destroy",
        "docker compose run --rm terraform plan",
        "docker compose --dry-run run terraform destroy",
        "docker run bitnami/kubectl get ns",
        "podman run --rm -it fedora bash",
    ] {
        assert!(hits(quiet).is_empty(), "{quiet}: {:?}", hits(quiet));
    }
}
