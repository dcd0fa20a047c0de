// CDK Pipelines (aws-cdk-lib/pipelines) in 111111111111 with a stage in 222222222222: the
// most common real-world cross-account shape. Synthesised by ../synth.sh; must lint clean.
const cdk = require('aws-cdk-lib');
const pipelines = require('aws-cdk-lib/pipelines');
const s3 = require('aws-cdk-lib/aws-s3');
const codecommit = require('aws-cdk-lib/aws-codecommit');

class AppStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    new s3.Bucket(this, 'Site', { bucketName: 'example-app-site-prod' });
  }
}

class Prod extends cdk.Stage {
  constructor(scope, id, props) {
    super(scope, id, props);
    new AppStack(this, 'App');
  }
}

class PipelineStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const repo = codecommit.Repository.fromRepositoryName(this, 'Repo', 'app');
    const pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'app-pipeline',
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.codeCommit(repo, 'main'),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    pipeline.addStage(new Prod(this, 'Prod', { env: { account: '222222222222', region: 'us-east-2' } }));
  }
}

const app = new cdk.App({ outdir: process.argv[2] || 'cdk.out' });
new PipelineStack(app, 'PipelineStack', { env: { account: '111111111111', region: 'us-east-2' } });
app.synth();
