def test_catalogue_renders(client_for, learner, course, advanced):
    response = client_for(learner).get("/courses/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "MED-101" in body and "MED-201" in body
