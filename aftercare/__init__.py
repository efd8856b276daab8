"""After the result: the result notice and its signature, the applicant's online steps
(housing fund, medical insurance), and the rating (好差评) with its follow-up."""
