-- Members who serve in a branch other than their home (活动关系) are looked up by branch when its cards go out.
CREATE INDEX activity_branches_branch ON activity_branches (branch_id, member_id);
