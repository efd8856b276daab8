"""The reform's documents: the result notice (结果告知单), the one application form (申请表),
the service guide (服务指南) and the flowchart (流程图). Pure rendering: no database here."""
