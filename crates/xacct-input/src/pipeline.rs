//! Pipeline declarations: `aws codepipeline get-pipeline` output (`{"pipeline": …,
//! "metadata": …}`) and the bare declaration (`create-pipeline` input, in the API's shape).

use xacct_model::api::validate_pipeline_document;
use xacct_model::pipeline::load_pipeline;
use xacct_model::workspace::PipelineUnit;
use xacct_model::Accounts;
use xacct_syntax::json::Node;
use xacct_syntax::FileId;

/// Loads a declaration; `region` is the region when the file does not say.
pub fn load(file: FileId, root: &Node, region: Option<&str>) -> PipelineUnit {
    let doc = load_pipeline(root);
    let accounts = Accounts::resolve(&doc, region);
    PipelineUnit {
        file,
        doc,
        accounts,
        shape_issues: validate_pipeline_document(root),
    }
}
