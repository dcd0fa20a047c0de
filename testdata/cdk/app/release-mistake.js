// A CodePipeline (aws-codepipeline) in 111111111111 whose CloudFormation deploy action runs in
// 222222222222 (CDK puts its action role in a support stack there) but names a deployment role
// of 333333333333: CloudFormation refuses it with "Cross-account pass role is not allowed".
const cdk = require('aws-cdk-lib');
const codepipeline = require('aws-cdk-lib/aws-codepipeline');
const actions = require('aws-cdk-lib/aws-codepipeline-actions');
const codecommit = require('aws-cdk-lib/aws-codecommit');
const iam = require('aws-cdk-lib/aws-iam');

class PipelineStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const source = new codepipeline.Artifact('Source');
    const repo = codecommit.Repository.fromRepositoryName(this, 'Repo', 'app');
    new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'app-release',
      crossAccountKeys: true,
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository: repo, output: source })],
        },
        {
          stageName: 'Prod',
          actions: [
            new actions.CloudFormationCreateUpdateStackAction({
              actionName: 'DeployApp',
              stackName: 'app-prod',
              templatePath: source.atPath('template.yaml'),
              adminPermissions: false,
              account: '222222222222',
              deploymentRole: iam.Role.fromRoleArn(this, 'DeploymentRole', 'arn:aws:iam::333333333333:role/cloudformation-deployer', { mutable: false }),
            }),
          ],
        },
      ],
    });
  }
}

const app = new cdk.App({ outdir: process.argv[2] || 'cdk.out' });
new PipelineStack(app, 'ReleaseStack', { env: { account: '111111111111', region: 'us-east-2' } });
app.synth();
